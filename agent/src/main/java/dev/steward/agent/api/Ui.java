package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI: the files the front-end build ({@code agent/src/main/ui}, Vite) put in the jar under
 * {@code dev/steward/agent/ui}: {@code /ui/} is its page, {@code /ui/assets/{file}} its scripts and
 * styles (named by their content's hash, so cached for good). Both need no token: the page asks for
 * one and sends it with every call. The page may load only its own files and call only this agent.
 */
final class Ui {
    private static final String ROOT = "dev/steward/agent/ui/";
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, MediaType> TYPES = Map.of(".js", MediaType.JAVASCRIPT_UTF_8, ".css", MediaType.CSS_UTF_8,
            ".svg", MediaType.SVG_UTF_8, ".png", MediaType.PNG, ".woff2", MediaType.parse("font/woff2"), ".map", MediaType.JSON_UTF_8);
    private static final String NOT_BUILT = "<!doctype html><meta charset=utf-8><title>Steward</title>"
            + "<p>This agent was built without its web UI (the build found no npm). The API is at /v1/.</p>";
    private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();

    void bind(ServerBuilder sb) {
        sb.route().get("/").build((ctx, req) -> HttpResponse.ofRedirect("/ui/"));
        sb.route().get("/ui/").build((ctx, req) -> {
            byte[] page = file("index.html").orElse(null);
            return respond(MediaType.HTML_UTF_8, page == null ? HttpData.ofUtf8(NOT_BUILT) : HttpData.wrap(page), "no-cache");
        });
        sb.route().get("/ui/assets/{file}").build((ctx, req) -> {
            String name = ctx.pathParam("file");
            if (!FILE.matcher(name).matches() || name.contains("..")) {
                return Errors.json(400, "file: '" + name + "' is not a file name of the web UI (letters, digits, '.', '_' and '-')", java.util.List.of());
            }
            MediaType type = TYPES.entrySet().stream().filter(e -> name.endsWith(e.getKey())).map(Map.Entry::getValue).findFirst().orElse(null);
            Optional<byte[]> body = type == null ? Optional.empty() : file("assets/" + name);
            if (body.isEmpty()) return Errors.json(404, "the web UI has no file '" + name + "'", java.util.List.of());
            return respond(type, HttpData.wrap(body.get()), "public, max-age=31536000, immutable");
        });
    }

    /** Whether a path is one of the UI's, which are served without a token. */
    static boolean isUiFile(String path) {
        return path.equals("/ui/") || path.startsWith("/ui/assets/");
    }

    private static HttpResponse respond(MediaType type, HttpData body, String cache) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(type)
                .set(HttpHeaderNames.CACHE_CONTROL, cache)
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, POLICY)
                .set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .set("referrer-policy", "no-referrer").build(), body);
    }

    private Optional<byte[]> file(String path) {
        return files.computeIfAbsent(path, p -> {
            try (InputStream in = Ui.class.getClassLoader().getResourceAsStream(ROOT + p)) {
                return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

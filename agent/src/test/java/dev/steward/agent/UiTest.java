package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in Debian's headless Chromium, driven by Selenium, against a real agent: login, the
 * overview, a live update, the service page (instances, plots, events, logs), actions confirmed
 * first, and the banner when the agent is gone. Skipped, saying so, where chromium or chromedriver
 * is not installed. Screenshots go to target/ui-screenshots (docs/ holds copies).
 */
class UiTest {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File DRIVER = new File("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir static Path tmp;
    private static TestAgent agent;
    private static WebDriver browser;
    private static ChromeDriverService service;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && DRIVER.canExecute(),
                "the browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): apt-get install -y chromium chromium-driver");
        agent = TestAgent.start(tmp.resolve("data"));
        service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100",
                "--disable-extensions", "--no-first-run");
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (service != null) service.stop();
        if (agent != null) agent.close();
    }

    @BeforeEach
    void freshTab() {
        browser.get(agent.base + "/ui/");
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.get(agent.base + "/ui/");
    }

    @Test
    void aTokenIsAskedForAndAWrongOneIsRefused() {
        WebElement input = waitFor(By.id("token"));
        input.sendKeys("stw_not-a-token");
        browser.findElement(By.id("login-button")).click();
        waitText(By.id("login-error"), "not valid");
        assertThat(browser.findElements(By.id("overview"))).isEmpty();
        logIn(agent);
        waitText(By.id("who"), "admin");
        assertThat(waitFor(By.cssSelector("#services")).isDisplayed()).isTrue();
    }

    @Test
    void aServiceStartedThroughTheApiShowsUpWithoutAReload() {
        logIn(agent);
        waitFor(By.id("overview"));
        ((JavascriptExecutor) browser).executeScript("window.stewardTestMark = 'same page'");
        agent.register(web("live"));
        waitText(By.cssSelector("tr[data-service=live] td.state"), "available");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.stewardTestMark")).isEqualTo("same page");
        screenshot("ui-overview.png");
    }

    @Test
    void theServicePageShowsInstancesPlotsEventsAndFollowingLogs() throws Exception {
        agent.register(web("web"));
        JsonNode instance = agent.awaitState("web", "available").path("instances").get(0);
        logIn(agent);
        browser.get(agent.base + "/ui/#/services/web");
        waitText(By.cssSelector("#instances td.pid"), instance.path("pid").asText());
        assertThat(browser.findElement(By.cssSelector("#instances td.port")).getText()).isEqualTo(instance.path("port").asText());
        waitText(By.id("events"), "available");
        waitFor(By.cssSelector("#plot-rate canvas"));
        waitFor(By.cssSelector("#plot-latency canvas"));
        waitFor(By.cssSelector("#plot-instances canvas"));
        // requests through the gateway: the service's log shows them as they are written, the agent's series counts them
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/web/?n=" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            if (i % 10 == 9) TestAgent.sleep(700); // spread over a few seconds, so the plots have more than one point
        }
        waitText(By.id("logs"), "GET /?n=39");
        TestAgent.awaitTrue("the series counts the 40 requests", () -> sum(agent.get("/v1/services/web/series?seconds=120").path("requests")) >= 40,
                WAIT);
        // the plots read the series every two seconds: the rate's legend names the series and the instances plot has drawn
        waitText(By.id("plot-rate"), "req/s");
        screenshot("ui-service.png");
    }

    @Test
    void stoppingAServiceFromTheUiAsksFirstAndCancelChangesNothing() {
        agent.register(web("doomed"));
        agent.awaitState("doomed", "available");
        logIn(agent);
        By stop = By.cssSelector("tr[data-service=doomed] button[data-action=stop]");
        waitFor(stop).click();
        waitText(By.cssSelector(".dialog"), "Stop doomed?");
        browser.findElement(By.id("confirm-no")).click();
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".dialog")));
        assertThat(agent.service("doomed").path("state").asText()).isEqualTo("available");
        waitFor(stop).click();
        waitFor(By.id("confirm-yes")).click();
        waitText(By.cssSelector("tr[data-service=doomed] td.state"), "stopped");
        assertThat(agent.service("doomed").path("state").asText()).isEqualTo("stopped");
        assertThat(agent.service("doomed").path("instances")).isEmpty();
    }

    @Test
    void scalingFromTheServicePageStartsMoreInstances() {
        agent.register(web("wide"));
        agent.awaitState("wide", "available");
        logIn(agent);
        browser.get(agent.base + "/ui/#/services/wide");
        waitFor(By.cssSelector("button[data-action=scale]")).click();
        WebElement count = waitFor(By.id("scale-count"));
        // as a user does: select what the field holds and type over it (Selenium's clear() sends no input event, so the
        // page, rendering its state again on its next poll, put the old count back and "2" became "12")
        count.sendKeys(Keys.chord(Keys.CONTROL, "a"), "2");
        // the page renders what was typed a moment later: the question names the new count before it is confirmed
        waitText(By.cssSelector(".dialog"), "Run 2 instance(s) of wide?");
        browser.findElement(By.id("confirm-yes")).click();
        agent.await("wide", v -> v.path("instances").size() == 2, WAIT);
        new WebDriverWait(browser, WAIT).withMessage(() -> "the page says: " + browser.findElement(By.tagName("body")).getText())
                .until(d -> d.findElements(By.cssSelector("#instances tr[data-instance]")).size() == 2);
    }

    @Test
    void aDynamicInstanceIsOpenedFromItsServicesPageListedInTheOverviewAndClosedFromIt() {
        Assumptions.assumeTrue(dev.steward.agent.dynamic.Dynamics.unavailable() == null,
                "this machine cannot run dynamic services: " + dev.steward.agent.dynamic.Dynamics.unavailable());
        agent.register("""
                name: ui-lab
                parts:
                  web: {command: [python3, -m, http.server, "8080", --bind, 0.0.0.0]}
                entrypoint: web:8080
                """);
        logIn(agent);
        browser.get(agent.base + "/ui/#/services/ui-lab");
        waitText(By.cssSelector("#dynamic td.none"), "no open instance");
        assertThat(browser.findElements(By.cssSelector("button[data-action=scale]"))).as("a service with parts is opened, not scaled").isEmpty();
        waitFor(By.cssSelector("button[data-action=open]")).click();
        waitText(By.cssSelector(".dialog"), "Open a new instance of ui-lab?");
        browser.findElement(By.id("confirm-yes")).click();
        JsonNode open = agent.await("ui-lab", v -> v.path("opened").size() == 1 && v.path("opened").path(0).path("state").asText().equals("running"), WAIT)
                .path("opened").path(0);
        String uuid = open.path("uuid").asText();
        String row = "#dynamic tr[data-uuid='" + uuid + "'] ";
        waitText(By.cssSelector(row + "td.state"), "running");
        browser.get(agent.base + "/ui/#/");
        waitText(By.cssSelector(row + "td.state"), "running");
        waitText(By.cssSelector(row), open.path("url").asText()); // shown once the gateway routes to it
        assertThat(browser.findElement(By.cssSelector(row)).getText()).contains("ui-lab", "web running");
        waitText(By.cssSelector("tr[data-service=ui-lab] td.instances"), "1/1 open");
        screenshot("ui-dynamic.png");
        waitFor(By.cssSelector(row + "button[data-action=close]")).click();
        waitText(By.cssSelector(".dialog"), "Close " + uuid + "?");
        browser.findElement(By.id("confirm-yes")).click();
        agent.await("ui-lab", v -> v.path("opened").isEmpty(), WAIT);
        new WebDriverWait(browser, WAIT).withMessage(() -> "the page says: " + browser.findElement(By.tagName("body")).getText())
                .until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(row)));
    }

    @Test
    void anOpenInstancesPageShowsItsPartsStepsAndLogsFollowsARestartAndClosesIt() throws Exception {
        Assumptions.assumeTrue(dev.steward.agent.dynamic.Dynamics.unavailable() == null,
                "this machine cannot run dynamic services: " + dev.steward.agent.dynamic.Dynamics.unavailable());
        String mark = "ui-pair-helper-" + System.nanoTime();
        agent.register("""
                name: ui-pair
                parts:
                  web: {command: [python3, -m, http.server, "8080", --bind, 0.0.0.0], needs: [helper]}
                  helper:
                    command: [python3, -u, -c, "import socket, time; print('helper up %s', flush=True); s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 9000)); s.listen(); time.sleep(3600)"]
                    port: 9000
                    ping: {tcp: true, interval: 50ms}
                    restart: {delay: 100ms}
                entrypoint: web:8080
                """.formatted(mark));
        JsonNode open = agent.ok("POST", "/v1/services/ui-pair/open", null);
        String uuid = open.path("uuid").asText();
        assertThat(open.path("state").asText()).as(open.toString()).isEqualTo("running");
        logIn(agent);
        browser.get(agent.base + "/ui/#/services/ui-pair");
        waitFor(By.cssSelector("#dynamic tr[data-uuid='" + uuid + "'] a[href='#/instances/" + uuid + "']"));
        browser.get(agent.base + "/ui/#/");
        waitFor(By.cssSelector("#dynamic tr[data-uuid='" + uuid + "'] a[href='#/instances/" + uuid + "']")).click();

        waitText(By.cssSelector("#instance-state"), "running");
        assertThat(browser.findElement(By.cssSelector("#instance-state")).getText()).contains("ui-pair", "opened by admin");
        waitText(By.id("instance-url"), open.path("url").asText());
        waitText(By.cssSelector("#parts tr[data-part=helper] td.state"), "running");
        waitText(By.cssSelector("#parts tr[data-part=web] td.state"), "running");
        waitText(By.cssSelector("#parts tr[data-part=helper] pre.log"), "helper up " + mark);
        assertThat(browser.findElement(By.cssSelector("#parts tr[data-part=helper] td.restarts")).getText()).isEqualTo("0");
        // the opening's steps, in order, each with its duration
        for (String step : java.util.List.of("create namespace", "start part helper", "ping part helper", "start part web", "wait for entrypoint", "route")) {
            waitText(By.cssSelector("#steps tr[data-step='" + step + "'] td.millis"), " ms");
        }
        java.util.List<String> steps = browser.findElements(By.cssSelector("#steps tr[data-step] td.step")).stream().map(WebElement::getText).toList();
        assertThat(steps).containsSubsequence("start part helper", "ping part helper", "start part web", "wait for entrypoint", "route");
        ((JavascriptExecutor) browser).executeScript("window.stewardTestMark = 'same page'");

        // the helper killed: the page follows its restart without a reload
        var helper = new java.util.concurrent.atomic.AtomicReference<ProcessHandle>();
        TestAgent.awaitTrue("the helper's process", () -> {
            helper.set(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(mark)
                    && p.info().command().orElse("").contains("python")).findFirst().orElse(null));
            return helper.get() != null;
        }, WAIT);
        new ProcessBuilder("kill", "-KILL", Long.toString(helper.get().pid())).start().waitFor();
        waitText(By.cssSelector("#parts tr[data-part=helper] td.restarts"), "1");
        waitFor(By.cssSelector("#steps tr[data-step='restart part helper']"));
        waitText(By.cssSelector("#instance-state"), "running");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.stewardTestMark")).isEqualTo("same page");
        screenshot("ui-instance.png");

        waitFor(By.cssSelector("#instance button[data-action=close]")).click();
        waitText(By.cssSelector(".dialog"), "Close " + uuid + "?");
        browser.findElement(By.id("confirm-yes")).click();
        waitText(By.id("gone"), "No longer open");
        waitText(By.id("gone"), "complete");
        waitFor(By.cssSelector("#steps tr[data-step='stop parts']"));
        agent.await("ui-pair", v -> v.path("opened").isEmpty(), WAIT);
    }

    @Test
    void pausingAndResumingFromTheOverviewFreezesAndThawsTheInstances() {
        agent.register(web("frozen"));
        agent.awaitState("frozen", "available");
        logIn(agent);
        waitFor(By.cssSelector("tr[data-service=frozen] button[data-action=pause]")).click();
        waitText(By.cssSelector(".dialog"), "Pause frozen");
        browser.findElement(By.id("confirm-yes")).click();
        agent.await("frozen", v -> v.path("instances").path(0).path("state").asText().equals("paused"), WAIT);
        waitFor(By.cssSelector("tr[data-service=frozen] button[data-action=resume]")).click();
        waitFor(By.id("confirm-yes")).click();
        agent.await("frozen", v -> v.path("instances").path(0).path("state").asText().equals("running"), WAIT);
        waitFor(By.cssSelector("tr[data-service=frozen] button[data-action=pause]"));
    }

    @Test
    void anAppsPageShowsItsQueueAndWorkersAndStartsAndPausesIt() throws Exception {
        TestApps.upload(agent, "ui-app", java.util.Map.of());
        TestApps.profile(agent, "ui-profile", "{\"pool-limit\": 2}");
        logIn(agent);
        browser.get(agent.base + "/ui/#/apps/ui-app");
        waitText(By.id("app"), "stopped");
        waitFor(By.cssSelector("button[data-action=start]")).click();
        waitText(By.cssSelector(".dialog"), "Start ui-app with profile ui-profile?");
        browser.findElement(By.id("confirm-yes")).click();
        waitText(By.id("queue"), "queued of");
        var r = agent.call("POST", "/v1/apps/ui-app/echo", "hello", java.util.Map.of("Content-Type", "application/octet-stream"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello");
        waitText(By.id("queue"), "1 served");
        long pid = agent.get("/v1/apps/ui-app").path("workers").path(0).path("pid").asLong();
        assertThat(pid).isPositive();
        waitText(By.id("workers"), String.valueOf(pid));
        screenshot("ui-app.png");
        waitFor(By.cssSelector("button[data-action=pause]")).click();
        waitFor(By.id("confirm-yes")).click();
        waitFor(By.cssSelector("button[data-action=start]"));
        assertThat(agent.get("/v1/apps/ui-app").path("state").asText()).isEqualTo("stopped");
    }

    @Test
    void theOverviewShowsEachFunctionsCountsAsFnInfoGivesThem() throws Exception {
        TestApps.putArchive(agent, "/v1/functions/ui-echo", TestApps.tarGz(FunctionsTest.EXAMPLES.resolve("echo-python")));
        for (int i = 0; i < 3; i++) {
            var r = agent.call("POST", "/v1/functions/ui-echo/invoke", "hi " + i, java.util.Map.of("Content-Type", "application/octet-stream"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        JsonNode info = agent.get("/v1/functions/ui-echo");
        assertThat(info.path("invocations").asLong()).isEqualTo(3);
        logIn(agent);
        String row = "tr[data-function=ui-echo] ";
        waitText(By.cssSelector(row + "td.invocations"), "3");
        for (String start : java.util.List.of("cold", "paused", "warm")) {
            assertThat(browser.findElement(By.cssSelector(row + "td." + start)).getText()).as(start + " starts")
                    .isEqualTo(info.path("starts").path(start).asText());
        }
        assertThat(info.path("starts").path("cold").asLong() + info.path("starts").path("paused").asLong()
                + info.path("starts").path("warm").asLong()).isPositive();
        assertThat(browser.findElement(By.cssSelector(row + "td.errors")).getText()).isEqualTo("0");
    }

    @Test
    void anAgentThatCannotBeReachedIsSaidSoAndItsStatesAreNoLongerShownAsCurrent() throws Exception {
        TestAgent gone = TestAgent.start(tmp.resolve("gone"));
        boolean closed = false;
        try {
            gone.register(web("soon-gone"));
            gone.awaitState("soon-gone", "available");
            browser.get(gone.base + "/ui/");
            logIn(gone);
            waitText(By.cssSelector("tr[data-service=soon-gone] td.state"), "available");
            assertThat(browser.findElements(By.id("banner"))).isEmpty();
            gone.close();
            closed = true;
            waitText(By.id("banner"), "cannot be reached");
            // whatever the page read last (the service, or its list emptied as the dev agent stopped it) is marked as not current
            assertThat(browser.findElement(By.tagName("main")).getAttribute("data-stale")).isEqualTo("true");
            assertThat(browser.findElement(By.id("overview")).getText()).doesNotContain("available", "running", "healthy");
            for (WebElement state : browser.findElements(By.cssSelector("#overview .badge"))) assertThat(state.getText()).isEqualTo("unknown");
            screenshot("ui-unreachable.png");
        } finally {
            if (!closed) gone.close();
        }
    }

    private static String web(String name) {
        return "kind: service\nname: " + name + "\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 1s}\n";
    }

    private static void logIn(TestAgent a) {
        WebElement input = waitFor(By.id("token"));
        input.clear();
        input.sendKeys(a.token);
        browser.findElement(By.id("login-button")).click();
        waitFor(By.id("who"));
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, WAIT).withMessage(() -> "the page says: " + browser.findElement(By.tagName("body")).getText()
                + "\nits console: " + console()).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void waitText(By by, String text) {
        new WebDriverWait(browser, WAIT).withMessage(() -> "waiting for '" + text + "' in " + by + "; the page says: "
                + browser.findElement(By.tagName("body")).getText() + "\nits console: " + console())
                .until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** What the page wrote to its console (errors included), for a failure's message. */
    private static String console() {
        return browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .map(e -> e.getLevel() + " " + e.getMessage()).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static long sum(JsonNode values) {
        long n = 0;
        for (JsonNode v : values) n += v.asLong(0);
        return n;
    }

    private static void screenshot(String name) {
        try {
            Path dir = Path.of("target", "ui-screenshots");
            Files.createDirectories(dir);
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}

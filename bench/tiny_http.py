"""A small HTTP service for benchmarks: answers 200 on every GET, on the port given (or $PORT)."""
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ["PORT"])
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()

# A test upstream for the gateway: uploads, downloads, server-sent events, WebSocket echo, slow
# answers; every request's path is appended to seen.log in the working directory.
import base64, hashlib, http.server, os, struct, sys, time, urllib.parse

SLOW_LOCK = 'slow.lock'
slow = False
if os.environ.get('ONE_SLOW'):
    try:
        os.close(os.open(SLOW_LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        slow = True
    except FileExistsError:
        pass


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def seen(self):
        with open('seen.log', 'a') as f:
            f.write(self.command + ' ' + self.path + '\n')

    def answer(self, body, code=200, ctype='text/plain'):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.seen()
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            # a chunked body: answered with its data, a line feed, then the trailer lines as they came
            data, trailers = b'', b''
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip(), 16)
                if size == 0:
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            while True:
                line = self.rfile.readline()
                if line in (b'\r\n', b'\n', b''):
                    break
                trailers += line
            self.answer(data + b'\n' + trailers)
            return
        n = int(self.headers.get('Content-Length', '0'))
        got = 0
        while got < n:
            chunk = self.rfile.read(min(1 << 20, n - got))
            if not chunk:
                break
            got += len(chunk)
        self.answer(('%d' % got).encode())

    def do_GET(self):
        self.seen()
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if slow:
            time.sleep(0.3)
        if url.path.endswith('/download'):
            n = int(q['bytes'][0])
            self.send_response(200)
            self.send_header('Content-Length', str(n))
            self.end_headers()
            block = b'x' * (1 << 20)
            left = n
            while left > 0:
                self.wfile.write(block[:min(left, len(block))])
                left -= min(left, len(block))
        elif url.path.endswith('/sse'):
            self.send_response(200)
            self.send_header('Content-Type', 'text/event-stream')
            self.send_header('Connection', 'close')
            self.end_headers()
            self.close_connection = True
            self.wfile.write(b'data: one\n\n')
            self.wfile.flush()
            time.sleep(3)
            self.wfile.write(b'data: two\n\n')
            self.wfile.flush()
        elif url.path.endswith('/ws'):
            self.websocket()
        elif url.path.endswith('/slow'):
            time.sleep(float(q.get('s', ['2'])[0]))
            self.answer(b'slow')
        else:
            self.answer((self.path + '\n' + os.environ.get('PORT', '') + '\n').encode())

    def websocket(self):
        key = self.headers['Sec-WebSocket-Key']
        accept = base64.b64encode(hashlib.sha1((key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest()).decode()
        self.send_response(101)
        self.send_header('Upgrade', 'websocket')
        self.send_header('Connection', 'Upgrade')
        self.send_header('Sec-WebSocket-Accept', accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return
            op, ln = head[0] & 0x0f, head[1] & 0x7f
            if ln == 126:
                ln = struct.unpack('>H', self.rfile.read(2))[0]
            elif ln == 127:
                ln = struct.unpack('>Q', self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b'\0\0\0\0'
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(ln)))
            if op == 8:
                self.wfile.write(b'\x88\x00')
                self.wfile.flush()
                return
            reply_op = 10 if op == 9 else op
            size = len(data)
            hdr = bytes([(head[0] & 0x80) | reply_op]) + (bytes([size]) if size < 126 else b'\x7e' + struct.pack('>H', size) if size < 65536
                                               else b'\x7f' + struct.pack('>Q', size))
            self.wfile.write(hdr + data)
            self.wfile.flush()

    def log_message(self, *a):
        pass


class S(http.server.ThreadingHTTPServer):
    request_queue_size = 2048
    daemon_threads = True


S(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()

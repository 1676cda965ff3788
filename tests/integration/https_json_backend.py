#!/usr/bin/env python3
"""An https JSON backend for the http_json adapter's TLS test: it requires a client certificate
(trusted by CA_FILE), answers leerbedrijf/verifieer with the client's OIN in signaal_omschrijving
(so the test sees which certificate was sent) and leerbedrijf/mutaties with an empty list.

usage: https_json_backend.py PORT_FILE CERT KEY CA_FILE
"""
import http.server
import json
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        peer = self.connection.getpeercert() or {}
        subject = {k: v for rdn in peer.get("subject", ()) for (k, v) in rdn}
        if self.path.endswith("/leerbedrijf/mutaties"):
            body = {"laatste_volgnummer": 0, "mutaties": []}
        else:
            body = {"erkend": True, "signaal_code": "ERKEND",
                    "signaal_omschrijving": "client " + subject.get("serialNumber", "?"), "meldingen": []}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    port_file, cert, key, ca = sys.argv[1:5]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""A local web server with fixture sites for the page miner (never the internet)."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def cloudflare_encode(email, key=0x42):
    return f"{key:02x}" + "".join(f"{ord(ch) ^ key:02x}" for ch in email)


def html(body, title="Fixture", head=""):
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


def directory_page(number, total=3):
    if number > total:
        return html("<p>No more exhibitors.</p>")
    items = "".join(
        f"<li>Exhibitor {number}-{i} GmbH, contact: <a href='mailto:ex{number}.{i}@fair-exhibitors.de'>mail</a></li>"
        for i in range(3)
    )
    return html(f"<ul>{items}</ul><a href='/directory?page={number + 1}'>next</a>")


SITE = {
    "/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /private/\n"),
    "/home": (
        200,
        "text/html; charset=utf-8",
        html(
            "<h1>Acme Fairs</h1><p>Welcome. See <a href='/kontakt'>Kontakt</a> and <a href='/about-us'>About us</a>"
            " and <a href='https://elsewhere.test/contact'>partner</a>.</p>"
            "<footer>Write to jane [at] acme-fairs [dot] de or "
            f"<a href='/cdn-cgi/l/email-protection#{cloudflare_encode('press@acme-fairs.de')}'>[email protected]</a>"
            f" or <span class='__cf_email__' data-cfemail='{cloudflare_encode('sales@acme-fairs.de')}'>"
            "[email&#160;protected]</span>"
            "</footer>",
            title="Acme Fairs",
        ),
    ),
    "/kontakt": (
        200,
        "text/html; charset=utf-8",
        html(
            "<div class='team'><p>Ansprechpartner: Klaus Müller – Geschäftsführer<br>"
            "Tel: <a href='tel:+49301234567'>+49 30 1234567</a><br>"
            "E-Mail: <a href='mailto:k.mueller@acme-fairs.de'>k.mueller@acme-fairs.de</a></p>"
            "<p>noreply@acme-fairs.de, logo@2x.png</p></div>"
        ),
    ),
    "/about-us": (
        200,
        "text/html; charset=utf-8",
        html(
            "<p>About Acme.</p>",
            head='<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
            '{"@type": "Organization", "name": "Acme Fairs GmbH", "email": "info@acme-fairs.de", '
            '"address": {"addressCountry": "DE", "addressLocality": "Berlin"}},'
            '{"@type": "Person", "name": "Dr. Eva Schmidt", "jobTitle": "Head of Sales", '
            '"email": "mailto:eva.schmidt@acme-fairs.de", "worksFor": {"name": "Acme Fairs GmbH"}}]}</script>',
        ),
    ),
    "/exhibitors": (200, "text/html", html("<p>Same page: anna.berg@stand.se</p><a href='/exhibitors/page/2/'>2</a>")),
    "/private/list": (200, "text/html", html("<p>secret@acme-fairs.de</p>")),
    "/slow": (200, "text/html", html("<p>late@acme-fairs.de</p>"), 2.0),
    "/huge": (200, "text/html", html("<p>big@acme-fairs.de</p>" + "x" * 300_000)),
    "/latin1": (
        200,
        "text/html",
        (
            "<html><head><meta charset='windows-1252'></head><body><p>Kontakt: Jürgen Weiß, "
            "Geschäftsführer, j.weiss@messe-süd.de oder juergen.weiss@messe-sued.de</p></body></html>"
        ).encode("cp1252"),
    ),
    "/fair": (200, "text/html", html("<p>Welcome to the fair. Meet our <a href='/team'>team</a>.</p>")),
    "/team": (
        200,
        "text/html",
        html(
            "<ul><li>Sofia Rossi, Project Manager, <a href='mailto:s.rossi@fair-team.it'>mail</a></li>"
            "<li>Luca Bianchi, Sales Director, luca.bianchi@fair-team.it</li></ul>"
            "<a rel='next' href='/team/members-2'>more</a>"
        ),
    ),
    "/team/members-2": (
        200,
        "text/html",
        html(
            "<ul><li>Marta Verdi, Marketing Manager, marta.verdi@fair-team.it</li></ul>"
            "<a rel='next' href='/team/members-3'>more</a>"
        ),
    ),
    "/exhibitor-table": (
        200,
        "text/html",
        html(
            "<table><thead><tr><th>Firma</th><th>Vorname</th><th>Nachname</th><th>Funktion</th><th>E-Mail</th>"
            "<th>Land</th></tr></thead><tbody>"
            "<tr><td>Müller Maschinenbau GmbH &amp; Co. KG</td><td>Hans</td><td>Müller</td><td>Geschäftsführer</td>"
            "<td><a href='mailto:info@mueller-mb.de'>E-Mail</a></td><td>Deutschland</td></tr>"
            "<tr><td>Yılmaz Tekstil San. ve Tic. Ltd. Şti.</td><td>Ayşe</td><td>Yılmaz</td><td>İhracat Müdürü</td>"
            "<td>ayse.yilmaz [at] yilmaz-tekstil [dot] com</td><td>Türkei</td></tr>"
            "</tbody></table>"
        ),
    ),
    "/structured": (
        200,
        "text/html",
        html(
            "<dl><dt>Jean Dupont</dt><dd>Directeur commercial, Salons Lyon SARL</dd>"
            "<dd>jean.dupont(at)salons-lyon.fr</dd><dt>Marie Martin</dt><dd>Responsable marketing</dd>"
            "<dd>marie.martin@salons-lyon.fr</dd></dl>"
            "<p>Presse : &#112;&#114;&#101;&#115;&#115;&#64;salons-lyon.fr, Anfragen: anna at salons-lyon dot fr, "
            "<a href='mailto:%6c%75%63%2e%62%65%72%6e%61%72%64@salons-lyon.fr?subject=Salon%202026'>Luc</a></p>"
            "<footer>Salons Lyon SARL · 12 rue de la Paix, Lyon · Tél. +33 4 12 34 56 78 · contact@salons-lyon.fr"
            "</footer>",
            head='<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization", '
            '"name": "Salons Lyon SARL", "address": {"addressCountry": "FR", "addressLocality": "Lyon"}, '
            '"contactPoint": {"@type": "ContactPoint", "contactType": "sales", "email": "ventes@salons-lyon.fr", '
            '"telephone": "+33 4 12 34 56 79"}, "employee": [{"@type": "Person", "givenName": "Claire", '
            '"familyName": "Lefèvre", "jobTitle": "Directrice", "email": "claire.lefevre@salons-lyon.fr", '
            '"telephone": "+33 6 12 34 56 78"}]}</script>',
        ),
    ),
    "/vcard": (
        200,
        "text/html",
        html(
            "<div class='vcard'><span class='fn'>Tom Baker</span>, <span class='title'>Partnerships Lead</span> at "
            "<span class='org'>Expo London Ltd</span>, <span class='country-name'>United Kingdom</span> "
            "<a class='email' href='mailto:tom.baker@expo-london.co.uk'>email</a></div>"
        ),
    ),
}


def route(path):
    if path.startswith("/directory"):
        number = int(path.split("page=")[1]) if "page=" in path else 1
        return 200, "text/html", directory_page(number)
    if path.startswith("/catalog"):
        number = int(path.split("page=")[1]) if "page=" in path else 1
        if number > 2:
            return 404, "text/html", html("Not found")
        return (
            200,
            "text/html",
            html(f"<p>catalog{number}@fair-catalog.es</p><a href='/catalog?page={number + 1}'>next</a>"),
        )
    if path.startswith("/exhibitors/page/"):
        return SITE["/exhibitors"]
    return SITE.get(path, (404, "text/html", html("Not found")))


class Handler(BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):  # the http.server API
        Handler.requests.append((self.path, self.headers.get("User-Agent"), time.monotonic()))
        status, content_type, body, *delay = route(self.path)
        if delay:
            time.sleep(delay[0])
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


class FixtureSite:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        Handler.requests = []
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def requests(self):
        return Handler.requests


class _RecordingHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # the http.server API
        self.server.requests.append((self.path, self.headers.get("Host")))
        status, headers, body = self.server.routes.get(self.path, (404, {}, "Not found"))
        data = body.encode("utf-8")
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class LoopbackServer:
    """A server on one loopback address that records every request it gets as (path, Host header).

    `routes` maps a path to (status, extra headers, body); other paths are 404. With `tls` (a server
    SSLContext) it speaks HTTPS.
    """

    def __init__(self, host="127.0.0.1", port=0, routes=None, tls=None):
        server_class = type(
            "Server", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET}
        )
        self.server = server_class((host, port), _RecordingHandler)
        if tls is not None:  # an ssl.SSLContext for the server side
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.server.routes, self.server.requests = dict(routes or {}), []
        self.host, self.port = host, self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{f'[{host}]' if ':' in host else host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def requests(self):
        return self.server.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

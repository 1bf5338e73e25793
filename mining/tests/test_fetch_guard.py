"""No server-side request forgery from mining: with MINING_ALLOW_PRIVATE_ADDRESSES off (the default),
URLs that reach this machine, the private network or a metadata service are refused at job creation
when the URL shows it, else when the job runs — and the loopback servers standing in for those
targets never receive a request.

127.0.0.2 plays a public web server: the tests declare it public by patching the address policy,
and the host names they use resolve through a patched resolver. Nothing here leaves the machine.
"""

import ipaddress
import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest
import requests
import urllib3.util.connection

from liffy import netguard
from liffy.errors import InvalidInput
from mining import jobs
from mining.miners import MinerInput
from mining.miners.base import FAILED
from mining.miners.html import HtmlPageMiner
from mining.models import MiningJob, MiningJobLog
from mining.tests.sites import LoopbackServer, html

PUBLIC = "127.0.0.2"
FAST = {"page_delay": 0, "timeout": 5}
SECRET = (200, {}, html("<p>Root password: secret@internal.test</p>"))


@pytest.fixture(autouse=True)
def policy_on(settings):
    settings.MINING_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture
def private_server():
    """What the refused URLs point at: it must never be asked anything."""
    with LoopbackServer("127.0.0.1", routes={"/": SECRET, "/secret": SECRET}) as server:
        yield server


@pytest.fixture
def ipv6_server():
    """The same on ::1, where the machine has IPv6 loopback (None otherwise: refusal is still checked)."""
    try:
        server = LoopbackServer("::1", routes={"/": SECRET})
    except OSError:
        yield None
        return
    with server:
        yield server


@pytest.fixture
def dns(monkeypatch):
    """Host names of the tests: name → list of addresses, or a callable giving the answer of each lookup.

    Every lookup in the process goes through it, the connection's own included, so a second lookup
    at connect time would be seen."""
    names, real = {}, socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        answer = names[host]() if callable(names[host]) else names[host]
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture
def public_address(monkeypatch):
    """127.0.0.2 counts as a public address; every other address keeps the real policy."""
    real = netguard.address_refusal
    monkeypatch.setattr(
        netguard, "address_refusal", lambda address: None if address == ipaddress.ip_address(PUBLIC) else real(address)
    )


@pytest.fixture
def no_connections(monkeypatch):
    """Fails the test if anything opens a connection."""

    def connect(address, *args, **kwargs):
        pytest.fail(f"a connection to {address} was opened")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)


def mine(url):
    return HtmlPageMiner().mine(MinerInput(url=url, config=FAST))


def test_member_cannot_create_jobs_for_local_addresses(member_client, private_server, ipv6_server):
    port = private_server.port
    urls = [
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}/secret",
        f"http://intranet.localhost:{port}/",
        f"http://0.0.0.0:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        "http://10.0.0.7/",
        "http://192.168.1.1/admin",
        f"http://user:password@{PUBLIC}:{port}/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
    ]
    for url in urls:
        response = member_client.post("/api/mining/jobs", {"url": url, "config": FAST}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json(), url
    assert not MiningJob.objects.exists()
    assert private_server.requests == []
    assert ipv6_server is None or ipv6_server.requests == []


def test_the_refusal_says_why(member_client):
    response = member_client.post(
        "/api/mining/jobs", {"url": "http://169.254.169.254/latest/meta-data/"}, format="json"
    )
    assert response.json() == {"url": ["Cannot be mined: 169.254.169.254 is a link-local address."]}


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://127.1/", "127.1 is a loopback address"),
        ("http://2130706433/", "2130706433 is a loopback address"),
        ("http://0x7f000001/", "0x7f000001 is a loopback address"),
        ("http://0177.0.0.1/", "0177.0.0.1 is a loopback address"),
        ("http://0x7f.1/", "0x7f.1 is a loopback address"),
        ("http://127.0.0.1./", "127.0.0.1 is a loopback address"),
        ("http://0/", "0 is an unspecified address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://[::ffff:7f00:1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a link-local address"),
        ("http://[2002:a00:1::]/", "2002:a00:1:: is a private address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe is a link-local address"),
        ("http://[fe80::1%25eth0]/", "fe80::1%25eth0 is a link-local address"),
        ("http://[fd00::1]/", "fd00::1 is a private address"),
        ("http://172.16.5.4/", "172.16.5.4 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address"),
        ("http://224.0.0.251/", "224.0.0.251 is a multicast address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://LOCALHOST./", "localhost names this machine"),
        ("http://ip6-localhost/", "ip6-localhost names this machine"),
        ("https://user@example.com/", "the URL must not contain a user name or password"),
        ("ftp://example.com/", "only http and https URLs can be fetched"),
        ("http://example.com:99999/", "the URL cannot be read (Port out of range 0-65535)"),
    ],
)
def test_the_service_refuses_every_spelling_of_a_local_address(organizer, url, reason):
    """The API's URL field already refuses some of these spellings; the service refuses them all."""
    with pytest.raises(InvalidInput) as refused:
        jobs.create_mining_job(organizer, url=url)
    assert refused.value.errors == {"url": [f"Cannot be mined: {reason}."]}


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/",
        "https://exhibitors.example.com/list?page=2",
        "http://[2606:4700:4700::1111]/",
        "http://8.8.8.8:8080/",
    ],
)
def test_public_addresses_make_jobs(organizer, url):
    """Created, not run: the task is queued after a commit that never comes in this test."""
    assert jobs.create_mining_job(organizer, url=url).status == "pending"


def test_a_host_name_resolving_to_loopback_fails_the_job_with_the_reason(
    member_client, run_on_commit, private_server, dns
):
    dns["intranet.test"] = ["127.0.0.1"]
    response = run_on_commit(
        member_client,
        "/api/mining/jobs",
        {"url": f"http://intranet.test:{private_server.port}/secret", "config": FAST},
        format="json",
    )
    assert response.status_code == 201
    job = MiningJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    assert job.error == "refused: intranet.test resolves to a loopback address"
    assert MiningJobLog.objects.filter(job=job, level="error", message=job.error).exists()
    assert private_server.requests == []


def test_localhost_and_literal_addresses_are_refused_when_fetched(private_server, ipv6_server, dns, public_address):
    dns["dual.test"] = [PUBLIC, "::1"]  # one bad answer refuses the host
    port = private_server.port
    cases = {
        f"http://localhost:{port}/": "refused: localhost names this machine",
        f"http://0.0.0.0:{port}/": "refused: 0.0.0.0 is an unspecified address",
        f"http://[::1]:{ipv6_server.port if ipv6_server else port}/": "refused: ::1 is a loopback address",
        f"http://dual.test:{port}/": "refused: dual.test resolves to a loopback address",
    }
    for url, error in cases.items():
        output = mine(url)
        assert (output.status, output.error) == (FAILED, error), url
    assert private_server.requests == []
    assert ipv6_server is None or ipv6_server.requests == []


def test_metadata_and_private_addresses_are_refused_before_any_connection(no_connections):
    for url, error in {
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
        "http://10.20.30.40/": "10.20.30.40 is a private address",
        "http://[fd12::1]/": "fd12::1 is a private address",
    }.items():
        output = mine(url)
        assert (output.status, output.error) == (FAILED, f"refused: {error}")


@pytest.fixture
def redirecting_site(private_server, ipv6_server, dns, public_address):
    """www.fair.test (public) redirects to each local target in turn; the page at /ok is harmless."""
    dns["www.fair.test"] = [PUBLIC]
    dns["intranet.test"] = ["127.0.0.1"]
    port = private_server.port
    targets = {
        "loopback": f"http://127.0.0.1:{port}/secret",
        "localhost": f"http://localhost:{port}/secret",
        "decimal": f"http://2130706433:{port}/secret",
        "hex": f"http://0x7f000001:{port}/secret",
        "short": f"http://127.1:{port}/secret",
        "any": f"http://0.0.0.0:{port}/secret",
        "name": f"http://intranet.test:{port}/secret",
        "metadata": "http://169.254.169.254/latest/",
        "ipv6": f"http://[::1]:{ipv6_server.port if ipv6_server else port}/",
        "mapped": f"http://[::ffff:127.0.0.1]:{port}/secret",
        "relative": "/ok",
        "credentials": f"http://admin:admin@{PUBLIC}:{port}/ok",
    }
    routes = {f"/to/{name}": (302, {"Location": target}, "") for name, target in targets.items()}
    routes["/ok"] = (200, {}, html("<p>Contact: sales@fair.test</p>"))
    routes["/loop"] = (302, {"Location": "/loop"}, "")
    with LoopbackServer(PUBLIC, routes=routes) as public:
        public.public_url = f"http://www.fair.test:{public.port}"
        yield public


@pytest.mark.parametrize(
    "target, error",
    [
        ("loopback", "refused: 127.0.0.1 is a loopback address"),
        ("localhost", "refused: localhost names this machine"),
        ("decimal", "refused: 2130706433 is a loopback address"),
        ("hex", "refused: 0x7f000001 is a loopback address"),
        ("short", "refused: 127.1 is a loopback address"),
        ("any", "refused: 0.0.0.0 is an unspecified address"),
        ("name", "refused: intranet.test resolves to a loopback address"),
        ("metadata", "refused: 169.254.169.254 is a link-local address"),
        ("ipv6", "refused: ::1 is a loopback address"),
        ("mapped", "refused: ::ffff:127.0.0.1 is a loopback address"),
        ("credentials", "refused: the URL must not contain a user name or password"),
    ],
)
def test_every_redirect_hop_is_checked(redirecting_site, private_server, ipv6_server, target, error):
    output = mine(f"{redirecting_site.public_url}/to/{target}")
    assert (output.status, output.error) == (FAILED, error)
    assert ("/to/" + target, f"www.fair.test:{redirecting_site.port}") in redirecting_site.requests
    assert private_server.requests == []
    assert ipv6_server is None or ipv6_server.requests == []


def test_redirects_within_public_hosts_are_followed_and_bounded(redirecting_site):
    output = mine(f"{redirecting_site.public_url}/to/relative")
    assert output.status == "success"
    assert output.blocks[0]["emails"] == ["sales@fair.test"]
    assert output.blocks[0]["source_url"] == f"{redirecting_site.public_url}/ok"
    looping = mine(f"{redirecting_site.public_url}/loop")
    assert (looping.status, looping.error) == (FAILED, "more than 5 redirects")
    assert [path for path, _host in redirecting_site.requests].count("/loop") == 6


def test_a_redirect_to_a_local_address_fails_the_job_with_the_reason(
    member_client, run_on_commit, redirecting_site, private_server
):
    response = run_on_commit(
        member_client,
        "/api/mining/jobs",
        {"url": f"{redirecting_site.public_url}/to/loopback", "config": FAST},
        format="json",
    )
    job = MiningJob.objects.get(pk=response.json()["id"])
    assert (job.status, job.error) == ("failed", "refused: 127.0.0.1 is a loopback address")
    assert private_server.requests == []


def test_dns_rebinding_gains_nothing_the_connection_goes_to_the_checked_address(dns, public_address):
    """rebind.test answers a public address to the first lookup and loopback to every later one.

    The public and the private server listen on the same port; only the public one may be asked."""
    with (
        LoopbackServer(PUBLIC, routes={"/": (200, {}, html("public"))}) as public,
        LoopbackServer("127.0.0.1", port=public.port, routes={"/": SECRET}) as private,
    ):
        answers = iter([[PUBLIC]])
        dns["rebind.test"] = lambda: next(answers, ["127.0.0.1"])
        response = netguard.guarded_session().get(f"http://rebind.test:{public.port}/", timeout=5)
        assert response.text == html("public")
        assert public.requests == [("/", f"rebind.test:{public.port}")]  # the Host header keeps the name

        # The miner asks again for its next request (robots.txt took the public answer): refused.
        answers = iter([[PUBLIC]])
        output = mine(f"http://rebind.test:{public.port}/")
        assert (output.status, output.error) == (FAILED, "refused: rebind.test resolves to a loopback address")
        assert [path for path, _host in public.requests] == ["/", "/robots.txt"]
        assert private.requests == []


def self_signed(name, directory):
    """(certificate file, key file) of a self-signed certificate for the DNS name `name` only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{name}.pem", directory / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_tls_keeps_the_name_for_sni_and_the_certificate_check(dns, public_address, tmp_path):
    """The connection dials the checked address, yet the server is asked for, and must prove, the name."""
    cert_file, key_file = self_signed("secure.fair.test", tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    asked_for = []
    context.sni_callback = lambda connection, server_name, _context: asked_for.append(server_name)
    dns["secure.fair.test"] = [PUBLIC]
    dns["impostor.test"] = [PUBLIC]
    with LoopbackServer(PUBLIC, routes={"/": (200, {}, html("secure"))}, tls=context) as server:
        response = netguard.guarded_session().get(
            f"https://secure.fair.test:{server.port}/", verify=str(cert_file), timeout=5
        )
        assert response.text == html("secure")
        assert server.requests == [("/", f"secure.fair.test:{server.port}")] and asked_for == ["secure.fair.test"]
        with pytest.raises(requests.exceptions.SSLError):  # same address, another name: the certificate says no
            netguard.guarded_session().get(f"https://impostor.test:{server.port}/", verify=str(cert_file), timeout=5)
        assert len(server.requests) == 1


def test_connection_failures_read_alike_in_the_job_log(dns, public_address, private_server):
    """A closed and an open port of a local host both read 'refused' (nothing is dialled); a closed port
    of a public host reads 'could not connect', with no detail that tells closed from filtered."""
    dns["intranet.test"] = ["127.0.0.1"]
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed_port = spare.getsockname()[1]
    local = {mine(f"http://intranet.test:{port}/").error for port in (closed_port, private_server.port)}
    assert local == {"refused: intranet.test resolves to a loopback address"}
    dns["www.fair.test"] = [PUBLIC]
    output = mine(f"http://www.fair.test:{closed_port}/")
    assert (output.status, output.error) == (FAILED, "could not connect")
    assert private_server.requests == []


def test_the_setting_lets_an_intranet_deployment_mine_local_servers(settings, organizer, private_server):
    settings.MINING_ALLOW_PRIVATE_ADDRESSES = True
    output = mine(f"http://localhost:{private_server.port}/secret")
    assert output.status == "success" and output.blocks[0]["emails"] == ["secret@internal.test"]
    with pytest.raises(InvalidInput):
        jobs.create_mining_job(organizer, url=f"http://admin:pw@localhost:{private_server.port}/")


def test_staff_cannot_add_a_local_url_job_in_the_admin(client, staff_user, organizer, private_server):
    client.force_login(staff_user)
    response = client.post(
        "/admin/mining/miningjob/add/",
        {"organizer": organizer.pk, "url": f"http://127.0.0.1:{private_server.port}/", "config": "{}"},
    )
    assert response.status_code == 200
    assert "Cannot be mined: 127.0.0.1 is a loopback address." in response.content.decode()
    assert not MiningJob.objects.exists() and private_server.requests == []

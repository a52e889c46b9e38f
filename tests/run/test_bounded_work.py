"""Bounded work (issue 22, §1): --draws has a cap checked before any work; an interrupt is honoured
while a large pool run is still submitting; a --scheduler that accepts TCP but never answers, or has
no workers, ends with an input error (exit 2) instead of hanging. Loopback only, every wait bounded."""

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from rechain.base.errors import InputError
from rechain.run import parallel
from rechain.run.risk import MAX_DRAWS, check_draw_count

from entry import rechain_process

MISSING = "no-such-workbook.xlsx"  # the cap is checked before the workbook is read


@pytest.mark.parametrize("command", ["risk", "report"])
def test_draws_above_the_cap_exit_2_before_any_work(tmp_path, command):
    """--draws 1,000,000,000 > 100,000 = MAX_DRAWS: exit 2 with the cap in the message, and no other
    problem (the missing workbook is not even opened)."""
    done = rechain_process(command, tmp_path / MISSING, "--draws", 1_000_000_000, "--out", tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert "--draws: expected at most 100000, found 1000000000" in done.stderr
    assert MISSING not in done.stderr
    assert MAX_DRAWS == 100_000


def test_hedge_keeps_its_own_limit():
    """hedge: one LP holds every draw, at most 50 (HEDGE_LIMIT); replan may take 51 up to MAX_DRAWS."""
    with pytest.raises(InputError, match="at most 50 draws with --mode hedge"):
        check_draw_count(51, "hedge")
    check_draw_count(50, "hedge")
    check_draw_count(MAX_DRAWS, "replan")
    with pytest.raises(InputError, match=f"at most {MAX_DRAWS}, found {MAX_DRAWS + 1}"):
        check_draw_count(MAX_DRAWS + 1, "commit")


@pytest.mark.parametrize(("draws", "least", "message"), [(0, 1, ">= 1, found 0"), (-1, 0, ">= 0, found -1")])
def test_too_few_draws(draws, least, message):
    """risk needs a draw (least 1); report's outlook may have none (least 0) but not -1."""
    with pytest.raises(InputError, match=message):
        check_draw_count(draws, least=least)


POOL_RUN = textwrap.dedent("""
    import sys
    from rechain.run.parallel import run_tasks
    from rechain.run.signals import install_sigterm, interrupt_exit_code

    class Quick:
        def run(self, task, cache):
            return {"i": task}

    def on_row(rows):
        if not seen:
            print("first", flush=True)
        seen.extend(rows)

    seen = []
    install_sigterm()
    print("ready", flush=True)
    rows, complete = run_tasks(Quick(), list(range(300_000)), workers=2, on_row=on_row)
    print(len(rows), complete, flush=True)
    sys.exit(0 if complete else interrupt_exit_code())
""")


def _pool_run(tmp_path, sig: int, after: str) -> tuple[int, float, list[str]]:
    """Run 300,000 tiny tasks on 2 workers; send `sig` once the line `after` is printed (and 1 s more
    for "ready": the run is still submitting). Exit code, seconds from the signal to the exit, lines."""
    script = tmp_path / "pool_run.py"
    script.write_text(POOL_RUN)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().strip()]
        while lines[-1] != after:
            lines.append(proc.stdout.readline().strip())
        time.sleep(1.0 if after == "ready" else 0.0)
        proc.send_signal(sig)
        sent = time.perf_counter()
        out, _ = proc.communicate(timeout=120)
        return proc.returncode, time.perf_counter() - sent, lines + out.split("\n")
    finally:
        proc.kill()


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_while_submitting_exits_promptly(tmp_path, sig, code):
    """300,000 tasks; the signal comes 1 s after the run starts, while tasks would still be submitted
    if all were submitted at once (seconds of it). Submitting a window at a time, the run stops within
    5 s, incomplete, with exit code 130 (SIGINT) or 143 (SIGTERM)."""
    returncode, seconds, lines = _pool_run(tmp_path, sig, "ready")
    assert returncode == code
    assert seconds < 5, f"{seconds:.1f} s from the signal to the exit"
    kept, complete = [line for line in lines if line.endswith(("True", "False"))][0].split()
    assert complete == "False" and 0 <= int(kept) < 300_000


def test_an_interrupt_keeps_the_finished_tasks(tmp_path):
    """Interrupted once the first task is stored: at least that one is kept, not all 300,000."""
    returncode, _, lines = _pool_run(tmp_path, signal.SIGINT, "first")
    kept, complete = [line for line in lines if line.endswith(("True", "False"))][0].split()
    assert returncode == 130 and complete == "False" and 1 <= int(kept) < 300_000


class MuteServer:
    """A loopback TCP server that accepts and then says nothing (or, `close`, hangs up at once)."""

    def __init__(self, close: bool = False):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.close = close
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.close:
                conn.close()
            else:
                self.held.append(conn)

    def stop(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.mark.parametrize(("close", "why"), [(False, "no answer within 3 s"), (True, "without a dask handshake")])
def test_a_scheduler_that_never_answers_is_an_input_error(close, why):
    """TCP accepted, no dask handshake: an input error within CONNECT_SECONDS (3) + 2 s."""
    server = MuteServer(close)
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match=why) as caught:
            parallel.reachable(server.address)
    finally:
        server.stop()
    assert caught.value.issues[0].place == "--scheduler"
    assert time.perf_counter() - start < parallel.CONNECT_SECONDS + 2


def test_risk_on_a_mute_scheduler_exits_2(tmp_path):
    """The command itself: `risk --scheduler` on the mute server exits 2, naming the timeout, well
    before the test's bound of 120 s (it hung for ever before)."""
    from risk_world import world

    server = MuteServer()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "rechain.cli",
                "risk",
                str(world(tmp_path, "")),
                "--draws",
                "4",
                "--scheduler",
                server.address,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert done.returncode == 2, done.stderr
    assert "--scheduler" in done.stderr and "no answer within 3 s" in done.stderr


class Quick:
    def run(self, task, cache):
        return {"i": task}


def test_a_scheduler_without_workers_is_an_input_error(monkeypatch):
    """A LocalCluster with no workers: no task runs or finishes; with IDLE_SECONDS = 1 the run stops after
    about 1 s (bounded here by 30 s), incomplete with no rows, and the input error on --scheduler it ends
    with (exit 2) is kept."""
    from dask.distributed import LocalCluster
    from rechain.run import signals

    monkeypatch.setattr(parallel, "IDLE_SECONDS", 1.0)
    monkeypatch.setitem(signals._received, "stalled", None)
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0") as cluster:
        start = time.perf_counter()
        rows, complete = parallel.run_tasks(Quick(), [1, 2, 3], workers=2, scheduler=cluster.scheduler_address)
        assert time.perf_counter() - start < 30
    assert (rows, complete) == ([], False)
    assert signals.stall_error().issues[0].place == "--scheduler"
    assert "has it any workers" in str(signals.stall_error()) and signals.interrupt_exit_code() == 2


def tls_address(server: MuteServer) -> str:
    return server.address.replace("tcp://", "tls://")


@pytest.mark.parametrize(("close", "why"), [(False, "no answer within 3 s"), (True, "without a TLS handshake")])
def test_a_tls_scheduler_that_never_answers_is_an_input_error(close, why):
    """tls://: TCP accepted, and the TLS ClientHello gets no answer (or the server hangs up): an input
    error within CONNECT_SECONDS (3) + 2 s, before dask is asked (it would wait for its own timeouts)."""
    server = MuteServer(close)
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match=why) as caught:
            parallel.reachable(tls_address(server))
    finally:
        server.stop()
    assert caught.value.issues[0].place == "--scheduler"
    assert time.perf_counter() - start < parallel.CONNECT_SECONDS + 2


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A throwaway self-signed certificate for 127.0.0.1 (openssl), for the loopback TLS servers."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class TlsServer(MuteServer):
    """A loopback TLS server: completes the TLS handshake, then says `greeting` (nothing when empty), or
    asks for a client certificate it never gets (`client_cert`)."""

    def __init__(self, certificate, greeting: bytes = b"", client_cert: bool = False):
        import ssl

        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(*map(str, certificate))
        if client_cert:
            self.context.verify_mode = ssl.CERT_REQUIRED
            self.context.load_verify_locations(str(certificate[0]))
        self.greeting = greeting
        super().__init__()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn) -> None:
        try:
            wrapped = self.context.wrap_socket(conn, server_side=True)
            self.held.append(wrapped)
            if self.greeting:
                wrapped.sendall(self.greeting)
        except OSError:
            conn.close()


def test_a_tls_scheduler_mute_after_the_handshake_is_an_input_error(certificate):
    """tls://: the TLS handshake completes but no dask handshake follows: input error within 3 + 2 s."""
    server = TlsServer(certificate)
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match="no answer within 3 s"):
            parallel.reachable(tls_address(server))
    finally:
        server.stop()
    assert time.perf_counter() - start < parallel.CONNECT_SECONDS + 2


@pytest.mark.parametrize("kind", ["greets", "wants a client certificate"])
def test_a_tls_scheduler_that_answers_passes(certificate, kind):
    """A TLS server that greets after the handshake, or refuses the probe for want of a client certificate
    (a TLS alert is an answer: dask's own security settings decide): reachable lets it through, at once."""
    server = TlsServer(certificate, b"x") if kind == "greets" else TlsServer(certificate, client_cert=True)
    start = time.perf_counter()
    try:
        parallel.reachable(tls_address(server))
    finally:
        server.stop()
    assert time.perf_counter() - start < parallel.CONNECT_SECONDS


def test_sweep_on_a_mute_tls_scheduler_exits_2(examples, rechain):
    """The command: `sweep --scheduler tls://…` on the mute server exits 2 naming the timeout, within
    CONNECT_SECONDS + 5 s (the workbook is read first; nothing is solved)."""
    server = MuteServer()
    start = time.perf_counter()
    try:
        done = rechain("sweep", examples / "tiny", "--param", "demand_factor=1,2", "--scheduler", tls_address(server))
    finally:
        server.stop()
    assert done.returncode == 2, done.stderr
    assert "--scheduler" in done.stderr and "no answer within 3 s" in done.stderr
    assert time.perf_counter() - start < parallel.CONNECT_SECONDS + 5

#!/usr/bin/python3
"""libtorrent interop harness for PEX (BEP 11) tests.

Starts N libtorrent sessions on loopback (session i listens on 127.0.0.(i+2)), all on one
made-up v1-only torrent: session 0 seeds it behind a per-torrent upload limit, the others
download. Optionally one more session listens on [::1] only, and the IPv4 sessions also
listen on [::1], so IPv6 PEX can be observed.

Protocol: one JSON object per line.
  stdout: {"event": "ready", ...} once every session listens, then events as they happen.
  stdin:  commands, e.g. {"cmd": "connect", "session": 0, "address": "127.0.0.1", "port": 6881}.
The harness exits on stdin EOF, on {"cmd": "quit"}, on SIGTERM/SIGINT, and when its parent
dies (PR_SET_PDEATHSIG), and removes its temp dir. See README.md next to this file.

Run with /usr/bin/python3: python3-libtorrent is a Debian package.
"""

import argparse
import ctypes
import json
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
import time

import libtorrent as lt

PIECE_SIZE_BYTES = 16384
PEER_POLL_INTERVAL_S = 0.25
LOOP_SLEEP_S = 0.02
LISTEN_TIMEOUT_S = 10.0

# peer_info.source bits, as named in libtorrent's peer_info.hpp.
SOURCE_NAMES = [
    (lt.peer_info.tracker, "tracker"),
    (lt.peer_info.dht, "dht"),
    (lt.peer_info.pex, "pex"),
    (lt.peer_info.lsd, "lsd"),
    (lt.peer_info.resume_data, "resume_data"),
    (32, "incoming"),  # peer_info::incoming; not exported by the Python binding
]

# peer_log_alert.message() ends in "[ip:port] <direction> <EVENT> [ <text> ]"; PEX messages
# are logged as PEX_FULL / PEX_DIFF (sent) and PEX (received).
PEER_LOG_RE = re.compile(r"\] (==>|<==|>>>|<<<|\*\*\*) ([A-Z0-9_]+) \[ ?(.*?) ?\]$", re.S)

_out_lock = threading.Lock()


def emit(obj):
    line = json.dumps(obj, separators=(",", ":"))
    with _out_lock:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            # The parent went away: nothing left to report to.
            raise SystemExit(0)


def die_with_parent():
    """Ask the kernel to SIGTERM us when the parent process dies (Linux only)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        # The parent may already have died between fork and prctl.
        if os.getppid() == 1:
            raise SystemExit(0)
    except OSError:
        pass


def endpoint_of(ep):
    """(address, port) tuple or lt endpoint -> {"address", "port"}."""
    if isinstance(ep, tuple):
        return {"address": str(ep[0]), "port": int(ep[1])}
    return {"address": str(ep.address()), "port": int(ep.port())}


def source_names(bits):
    return [name for bit, name in SOURCE_NAMES if int(bits) & int(bit)]


def make_content(root, size_bytes):
    """Writes one file of deterministic pseudo-random bytes and returns the torrent_info."""
    content_dir = os.path.join(root, "seed")
    os.makedirs(content_dir)
    name = "pex-interop.bin"
    path = os.path.join(content_dir, name)
    block = os.urandom(1 << 16)
    with open(path, "wb") as f:
        left = size_bytes
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
    fs = lt.file_storage()
    lt.add_files(fs, path)
    # libtorrent 2.0 creates hybrid v1+v2 torrents by default; PEX tests want plain v1.
    ct = lt.create_torrent(fs, PIECE_SIZE_BYTES, flags=lt.create_torrent.v1_only)
    ct.set_creator("pex-interop-harness")
    lt.set_piece_hashes(ct, content_dir)
    return content_dir, lt.torrent_info(ct.generate())


def session_settings(listen, outgoing):
    return {
        "listen_interfaces": listen,
        "outgoing_interfaces": outgoing,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_tcp": True,
        "enable_incoming_tcp": True,
        # 2 = pe_disabled: dial in plaintext, so a plain bittorrent-protocol wire can accept.
        "out_enc_policy": 2,
        "in_enc_policy": 1,
        "peer_connect_timeout": 2,
        "handshake_timeout": 5,
        # Sessions that share ::1 would otherwise refuse each other.
        "allow_multiple_connections_per_ip": True,
        "alert_mask": int(lt.alert.category_t.all_categories),
        "alert_queue_size": 100000,
        "user_agent": "pex-interop-harness",
        "auto_manage_startup": 0,
    }


class Harness:
    def __init__(self, args, root):
        self.args = args
        self.root = root
        self.sessions = []  # dicts: ses, handle, address, port, address6, port6, seed
        self.known_peers = []  # per session: {(ip, port): summary}
        self.commands = queue.Queue()
        self.stopping = False

    # ---------------------------------------------------------------- setup
    def start(self):
        content_dir, ti = make_content(self.root, self.args.size)
        self.info_hash = str(ti.info_hash())
        specs = []
        for i in range(self.args.sessions):
            v4 = "127.0.0.%d" % (i + 2)
            specs.append({"address": v4, "ipv6": self.args.ipv6})
        if self.args.ipv6:
            specs.append({"address": None, "ipv6": True})

        for i, spec in enumerate(specs):
            listen = []
            outgoing = []
            if spec["address"]:
                listen.append("%s:0" % spec["address"])
                outgoing.append(spec["address"])
            if spec["ipv6"]:
                listen.append("[::1]:0")
                outgoing.append("::1")
            ses = lt.session(session_settings(",".join(listen), ",".join(outgoing)))
            seed = i < self.args.seeds
            atp = lt.add_torrent_params()
            atp.ti = ti
            if seed:
                atp.save_path = content_dir
                atp.flags |= lt.torrent_flags.seed_mode
            else:
                save = os.path.join(self.root, "s%d" % i)
                os.makedirs(save)
                atp.save_path = save
            atp.flags &= ~lt.torrent_flags.auto_managed
            atp.flags &= ~lt.torrent_flags.paused
            handle = ses.add_torrent(atp)
            if seed:
                # The session-wide rate limit does not apply to loopback peers; a per-torrent
                # one does. Without it the download ends in well under a second and every
                # session becomes a seed (and seeds drop each other).
                handle.set_upload_limit(self.args.upload_limit)
            self.sessions.append(
                {
                    "ses": ses,
                    "handle": handle,
                    "address": spec["address"],
                    "port": None,
                    "address6": "::1" if spec["ipv6"] else None,
                    "port6": None,
                    "seed": seed,
                }
            )
            self.known_peers.append({})

        self.wait_listening()
        emit(
            {
                "event": "ready",
                "infoHash": self.info_hash,
                "pid": os.getpid(),
                "libtorrentVersion": lt.__version__,
                "pieceLength": PIECE_SIZE_BYTES,
                "size": self.args.size,
                "peers": [self.describe(i) for i in range(len(self.sessions))],
            }
        )
        if self.args.interconnect:
            self.interconnect()

    def describe(self, i):
        s = self.sessions[i]
        d = {"session": i, "seed": s["seed"]}
        if s["address"]:
            d["address"] = s["address"]
            d["port"] = s["port"]
        else:
            d["address"] = s["address6"]
            d["port"] = s["port6"]
        if s["address6"] and s["address"]:
            d["address6"] = s["address6"]
            d["port6"] = s["port6"]
        return d

    def wait_listening(self):
        deadline = time.monotonic() + LISTEN_TIMEOUT_S
        while True:
            pending = False
            for i, s in enumerate(self.sessions):
                for a in s["ses"].pop_alerts():
                    if isinstance(a, lt.listen_succeeded_alert) and a.socket_type == lt.socket_type_t.tcp:
                        addr = str(a.address)
                        if ":" in addr:
                            s["port6"] = int(a.port)
                        else:
                            s["port"] = int(a.port)
                    elif isinstance(a, lt.listen_failed_alert):
                        raise RuntimeError("session %d: %s" % (i, a.message()))
                if (s["address"] and not s["port"]) or (s["address6"] and not s["port6"]):
                    pending = True
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("sessions did not start listening within %ss" % LISTEN_TIMEOUT_S)
            time.sleep(LOOP_SLEEP_S)

    def interconnect(self):
        """Every session dials every lower-numbered one, over IPv4 where both have it."""
        for i, s in enumerate(self.sessions):
            for j in range(i):
                t = self.sessions[j]
                if s["address"] and t["address"]:
                    ep = (t["address"], t["port"])
                elif s["address6"] and t["address6"]:
                    ep = (t["address6"], t["port6"])
                else:
                    continue
                s["handle"].connect_peer(ep)
        # The IPv6-only session: also dial session 0 over ::1 explicitly (done above when
        # session 0 listens on ::1). Nothing else to do.

    # ------------------------------------------------------------- running
    def run(self):
        threading.Thread(target=self.read_stdin, daemon=True).start()
        next_poll = 0.0
        while not self.stopping:
            for i, s in enumerate(self.sessions):
                for a in s["ses"].pop_alerts():
                    self.on_alert(i, a)
            while True:
                try:
                    line = self.commands.get_nowait()
                except queue.Empty:
                    break
                if line is None:
                    emit({"event": "eof"})
                    self.stopping = True
                    break
                self.on_command(line)
            now = time.monotonic()
            if now >= next_poll:
                next_poll = now + PEER_POLL_INTERVAL_S
                for i in range(len(self.sessions)):
                    self.poll_peers(i)
            time.sleep(LOOP_SLEEP_S)

    def read_stdin(self):
        for line in sys.stdin:
            line = line.strip()
            if line:
                self.commands.put(line)
        self.commands.put(None)

    def on_alert(self, i, a):
        if isinstance(a, lt.peer_log_alert):
            # message() carries the direction and event type ("==> PEX_FULL [ ... ]");
            # log_message() only the text after it.
            msg = a.message()
            m = PEER_LOG_RE.search(msg)
            kind = m.group(2) if m else ""
            if self.args.log_all or kind.startswith("PEX"):
                ev = {
                    "event": "peer_log",
                    "session": i,
                    "peer": endpoint_of(a.ip),
                    "direction": m.group(1) if m else "",
                    "kind": kind,
                    "text": m.group(3) if m else a.log_message(),
                    "message": msg,
                }
                emit(ev)
        elif isinstance(a, lt.incoming_connection_alert):
            emit({"event": "incoming_connection", "session": i, "peer": endpoint_of(a.endpoint)})
        elif isinstance(a, lt.peer_connect_alert):
            emit({"event": "peer_connect", "session": i, "peer": endpoint_of(a.ip)})
        elif isinstance(a, lt.peer_disconnected_alert):
            emit(
                {
                    "event": "peer_disconnected",
                    "session": i,
                    "peer": endpoint_of(a.ip),
                    "message": a.message(),
                }
            )
        elif isinstance(a, lt.torrent_finished_alert):
            emit({"event": "torrent_finished", "session": i})
        elif isinstance(a, (lt.listen_failed_alert, lt.torrent_error_alert)):
            emit({"event": "error", "session": i, "message": a.message()})

    def peer_summary(self, p):
        return {
            "address": str(p.ip[0]),
            "port": int(p.ip[1]),
            "source": int(p.source),
            "sources": source_names(p.source),
            "seed": bool(int(p.flags) & int(lt.peer_info.seed)),
            "outgoing": bool(int(p.flags) & int(lt.peer_info.outgoing_connection)),
            "connecting": bool(int(p.flags) & int(lt.peer_info.connecting)),
            "handshake": bool(int(p.flags) & int(lt.peer_info.handshake)),
            "client": p.client if isinstance(p.client, str) else p.client.decode("utf-8", "replace"),
            "progress": round(float(p.progress), 4),
            "local": endpoint_of(p.local_endpoint),
        }

    def poll_peers(self, i):
        """Emits peer_added/peer_removed as the session's connected-peer list changes."""
        s = self.sessions[i]
        current = {}
        for p in s["handle"].get_peer_info():
            summary = self.peer_summary(p)
            current[(summary["address"], summary["port"])] = summary
        known = self.known_peers[i]
        for key, summary in current.items():
            if key not in known:
                emit({"event": "peer_added", "session": i, "peer": summary})
        for key in known:
            if key not in current:
                emit({"event": "peer_removed", "session": i, "peer": {"address": key[0], "port": key[1]}})
        self.known_peers[i] = current

    def on_command(self, line):
        cmd = None
        try:
            cmd = json.loads(line)
            if not isinstance(cmd, dict):
                raise ValueError("command must be a JSON object")
            self.dispatch(cmd)
        except SystemExit:
            raise
        except Exception as e:  # report every bad command, keep running
            ev = {"event": "error", "message": "%s: %s" % (type(e).__name__, e)}
            if isinstance(cmd, dict) and "id" in cmd:
                ev["id"] = cmd["id"]
            emit(ev)

    def session_of(self, cmd):
        i = cmd.get("session", 0)
        if not isinstance(i, int) or not 0 <= i < len(self.sessions):
            raise ValueError("session expected 0..%d, got %r" % (len(self.sessions) - 1, i))
        return i, self.sessions[i]

    def reply(self, cmd, ev):
        ev["cmd"] = cmd["cmd"]
        if "id" in cmd:
            ev["id"] = cmd["id"]
        emit(ev)

    def dispatch(self, cmd):
        name = cmd.get("cmd")
        if name == "quit":
            self.reply(cmd, {"event": "ok"})
            self.stopping = True
        elif name == "connect":
            i, s = self.session_of(cmd)
            address = cmd["address"]
            port = int(cmd["port"])
            s["handle"].connect_peer((address, port))
            self.reply(cmd, {"event": "ok", "session": i})
        elif name == "peers":
            i, s = self.session_of(cmd)
            peers = [self.peer_summary(p) for p in s["handle"].get_peer_info()]
            self.reply(cmd, {"event": "peers", "session": i, "peers": peers})
        elif name == "status":
            i, s = self.session_of(cmd)
            st = s["handle"].status()
            self.reply(
                cmd,
                {
                    "event": "status",
                    "session": i,
                    "progress": round(float(st.progress), 4),
                    "seeding": bool(st.is_seeding),
                    "numPeers": int(st.num_peers),
                    # The peer list (connected or not): entries, and those marked seeds, e.g.
                    # by the 0x02 flag of a PEX contact (peer_list::update_peer sets it).
                    "listPeers": int(st.list_peers),
                    "listSeeds": int(st.list_seeds),
                    "state": str(st.state),
                },
            )
        elif name == "set_upload_limit":
            i, s = self.session_of(cmd)
            s["handle"].set_upload_limit(int(cmd["bytesPerSecond"]))
            self.reply(cmd, {"event": "ok", "session": i})
        else:
            raise ValueError("unknown cmd %r" % (name,))

    def close(self):
        for s in self.sessions:
            try:
                s["ses"].pause()
            except Exception:
                pass
        self.sessions = []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=3, help="IPv4 sessions (127.0.0.2..)")
    ap.add_argument("--seeds", type=int, default=1, help="how many of them seed (first ones)")
    ap.add_argument("--ipv6", action="store_true", help="IPv4 sessions also listen on [::1]; add one [::1]-only session")
    ap.add_argument("--size", type=int, default=8 << 20, help="content size in bytes")
    ap.add_argument("--upload-limit", type=int, default=20000, help="seed's per-torrent upload limit, bytes/s")
    ap.add_argument("--no-interconnect", dest="interconnect", action="store_false")
    ap.add_argument("--log-all", action="store_true", help="forward every peer_log line, not only PEX ones")
    args = ap.parse_args()
    if not 1 <= args.sessions <= 200:
        ap.error("--sessions expected 1..200")

    die_with_parent()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    root = tempfile.mkdtemp(prefix="pex-lt-harness-")
    harness = Harness(args, root)
    code = 0
    try:
        harness.start()
        harness.run()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    except Exception as e:
        code = 1
        try:
            emit({"event": "fatal", "message": "%s: %s" % (type(e).__name__, e)})
        except SystemExit:
            pass
    finally:
        # A second exit trigger (SIGTERM after stdin EOF, as when the parent dies) must not
        # interrupt the clean-up below.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        harness.close()
        shutil.rmtree(root, ignore_errors=True)
    # Skip interpreter teardown of the native sessions: it can block on network threads.
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()

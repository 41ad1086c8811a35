#!/usr/bin/env python3
"""tracemap-cli trace HOST --via URL: a tracemap-agent as a remote vantage point.

The agent runs inside the topology's `src` namespace, listening on src's link address with a
token; tracemap-cli runs in another namespace (`r1`, the next node on the path) and asks the
agent over that link. Checked:

* text mode prints every hop of the path the topology says, from src (not from r1);
* --json is the agent's document (same hops) plus the vantage it came from;
* a wrong token is refused with exit status 2 and the token never appears in the output;
* a token file others can read is refused before anything is sent.

usage: test_via.py /path/to/tracemap-cli [/path/to/tracemap-agent]
"""
import json
import os
import re
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nstest  # noqa: E402

TOKEN = "via-test-token-0123456789abcdef"


def agent_path(cli):
    if len(sys.argv) > 2:
        return os.path.abspath(sys.argv[2])
    return os.environ.get("TRACEMAP_AGENT") or os.path.join(os.path.dirname(cli), "tracemap-agent")


class Agent:
    def __init__(self, t, binary, listen, token_file, config):
        self.proc = t.spawn([binary, "--listen", listen, "--token-file", token_file, "--config", config],
                            timeout=110)
        self.lines = []
        self.url = None
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()
        self.ready.wait(10)

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            m = re.search(r"listening on (http://\S+/)", line)
            if m:
                self.url = m.group(1)
                self.ready.set()
        self.ready.set()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except Exception:  # noqa: BLE001 - a hung agent is killed; the test reports the rest
            self.proc.kill()


def secret_file(directory, name, text, mode):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, mode)
    return path


def main():
    cli = nstest.cli_path()
    agent_bin = agent_path(cli)
    with nstest.Session("netns_via", deadline=120) as t:
        if not t.require_binary(cli) or not t.require_binary(agent_bin):
            return
        t.topology(ping_group="closed")
        db = nstest.paths()
        target = "198.18.10.1"
        expect = nstest.expected_hops(db[nstest.norm(target)]["hops"])
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)  # the agent may drop privileges; it must still read its token
            token = secret_file(tmp, "agent.token", TOKEN, 0o600)
            wrong = secret_file(tmp, "wrong.token", "not-the-right-token-42", 0o600)
            shared = secret_file(tmp, "shared.token", TOKEN, 0o644)
            # Off loopback the agent refuses the benchmarking range 198.18.0.0/15 by default; an
            # operator running it in this lab allows the lab network, and only that.
            config = os.path.join(tmp, "agent.conf")
            with open(config, "w") as f:
                f.write("[destinations]\nallow=198.18.0.0/15, fd00:7e57::/32\n")
            os.chmod(config, 0o644)
            agent = Agent(t, agent_bin, "198.18.0.2:0", token, config)
            try:
                if not t.check("agent listens on src's link address", agent.url is not None,
                               "\n".join(agent.lines)):
                    return
                via = ["--via", agent.url]

                r = t.run([cli, "trace", target] + via + ["--token-file", token, "--method", "icmp"],
                          node="r1", timeout=60)
                got = nstest.parse_traceroute(r.out)
                t.check("text: exit 0 (reached)", r.rc == 0, r.brief())
                t.check("text: the path from src, hop by hop",
                        [(ttl, addrs) for ttl, addrs in got] == expect,
                        f"expected {nstest.fmt_hops(expect)}\n got {nstest.fmt_hops(got)}\n{r.brief()}")
                t.check("text: the token is not printed", TOKEN not in r.out + r.err, r.brief())

                r = t.run([cli, "trace", target] + via + ["--token-file", token, "--json"], node="r1", timeout=60)
                try:
                    doc = json.loads(r.out)
                except ValueError:
                    doc = {}
                t.check("json: reached, same hops", doc.get("reached") is True and
                        nstest.trace_hops(doc) == expect, r.brief())
                t.check("json: says where it came from",
                        doc.get("vantage", {}).get("kind") == "agent" and
                        doc.get("vantage", {}).get("url") == agent.url, json.dumps(doc.get("vantage")))
                t.check("json: the source is src", nstest.same_addr(doc.get("source") or "", "198.18.0.2"),
                        doc.get("source"))

                r = t.run([cli, "trace", target] + via + ["--token-file", wrong], node="r1", timeout=30)
                t.check("wrong token: exit 2, says so", r.rc == 2 and "token" in r.err, r.brief())
                t.check("wrong token: not echoed", "not-the-right-token-42" not in r.out + r.err, r.brief())

                r = t.run([cli, "trace", target] + via + ["--token-file", shared], node="r1", timeout=30)
                t.check("token file others can read: refused", r.rc == 2 and "other users" in r.err, r.brief())
            finally:
                agent.stop()


if __name__ == "__main__":
    main()

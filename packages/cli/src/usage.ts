/** A command-line mistake: printed with the usage line of its command, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The commands of `pex`. */
export type CommandName = 'demo' | 'probe' | 'decode' | 'simulate';

/** One synopsis line per command: what a usage error prints, with a pointer to `pex --help`. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  demo: 'usage: pex demo [--nodes N] [--max-connections N] [--interval MS] [--first-delay MS] [--timeout S] [--json]',
  probe:
    'usage: pex probe HOST:PORT --info-hash HEX [--listen-port N] [--duration S] [--count N] [--timeout S] [--json]',
  decode: 'usage: pex decode <hex> | --file PATH|- [--json]',
  simulate:
    'usage: pex simulate [--nodes N] [--hours H] [--seed S] [--interval MS] [--max-connections N] [--latency MIN-MAX] [--churn PER_MIN] [--preset NAME] [--relaxation] [--candidate-pool] [--json]',
};

/** The synopsis line for a usage error outside any command (no or unknown command). */
export const GENERAL_USAGE = 'usage: pex demo|probe|decode|simulate [options]';

/** The line after a usage line: where the whole text is. */
export const HELP_POINTER = "run 'pex --help' for every command and option";

export const USAGE = `usage: pex <command> [options]

commands:
  demo [--nodes N] [--max-connections N] [--interval MS] [--first-delay MS]
       [--timeout S] [--json]
      run a PEX swarm on loopback: N TCP nodes (default 20) on one made-up torrent,
      each told about one other node only; they find the rest through PEX and dial
      it, up to --max-connections each (default 8). --interval (default 1500 ms) is
      ACCELERATED: BEP 11 allows one message per minute on the public network.
      --first-delay: first message on a new connection (default 500 ms).
      Prints progress and a summary (time and rounds to converge, messages and
      bytes per node, largest message, a discovery chart); --json prints it as JSON.
      Exit 0 when every node knew every other, 1 if not within --timeout (default 60 s).

  probe HOST:PORT --info-hash HEX [--listen-port N] [--duration S] [--count N]
        [--timeout S] [--json]
      connect to a live BitTorrent peer (IPv6 as [::1]:6881), do the handshakes
      advertising ut_pex and listen port N (default 6881; nothing listens there),
      and print every PEX message as it arrives: time since connect, added peers
      with their flags (and whether the default peer policy would refuse them),
      dropped peers. Stops after --duration (default 90 s) or --count messages;
      --timeout bounds connect + handshakes (default 10 s); --json: JSON lines.
      Exit codes: 0 PEX received, 3 cannot connect (e.g. refused), 4 handshake
      rejected (wrong info hash, closed, no answer), 5 the peer does not support
      ut_pex, 6 no PEX message within the duration.

  decode <hex> | --file PATH|- [--json]
      decode one PEX payload (the bencoded dictionary, without the extended-message
      id byte) given as hex or read from a file (--file -: standard input), and
      print its peers, or the reason it is invalid (exit 1)

  simulate [--nodes N] [--hours H] [--seed S] [--interval MS] [--max-connections N]
           [--latency MIN-MAX] [--churn PER_MIN] [--preset NAME] [--relaxation]
           [--candidate-pool] [--json]
      run a swarm of N nodes (default 1000) for H hours (default 1) of virtual time
      with @pex/simulator: real PEX sessions over an in-memory network, no sockets,
      deterministic from --seed (default 1). --interval: PEX interval (default
      70000 ms); --max-connections: per node (default 50); --latency: one-way delay
      per message (default 20-200 ms); --churn: nodes leaving and joining per minute
      (default 0); --preset default|libtorrent|transmission: their interval and caps;
      --relaxation: BEP 11's relaxation; --candidate-pool: dial from a candidate pool.
      Prints when every node (and the average node) knew 50/90/99/100 % of the
      swarm, messages, bytes and duplicate deliveries per node; --json: all of it.

options:
  -h, --help      show this text
  -V, --version   print the version of pex
  exit code 2: a usage error
`;

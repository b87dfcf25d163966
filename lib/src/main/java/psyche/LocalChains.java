package psyche;

import java.nio.file.Path;

import psyche.chain.local.LocalChain;

/** Starts the local chain with Psyche's programs (the one place that knows how they are plugged in). */
final class LocalChains {
    private LocalChains() {}

    static LocalChain start(int port, Path ledgerDir) {
        return LocalChain.builder().optRpcPort(port).optLedgerDir(ledgerDir).start();
    }
}

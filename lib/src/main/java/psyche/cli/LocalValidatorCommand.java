package psyche.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import psyche.chain.local.LocalChain;

/** {@code local-validator}: runs the local chain's JSON-RPC server until killed (SIGTERM/Ctrl-C stop it cleanly). */
@Command(name = "local-validator", mixinStandardHelpOptions = true,
        description = "Run the local chain (system, SPL token, associated token account programs) as a Solana JSON-RPC "
                + "server on 127.0.0.1 until killed.")
public final class LocalValidatorCommand implements Callable<Integer> {
    @Option(names = "--ledger", paramLabel = "DIR", description = "ledger directory (default: ~/.psyche/local-chain)")
    Path ledger;

    @Option(names = "--rpc-port", paramLabel = "N", defaultValue = "8899", description = "RPC port on 127.0.0.1, 0 = any free port (default: ${DEFAULT-VALUE})")
    int rpcPort;

    @Option(names = "--reset", description = "delete the ledger and start from genesis")
    boolean reset;

    @Option(names = "--repair", description = "repair a ledger that refused to start because it is damaged: copy its "
            + "log aside, cut it at the first damaged record, print what was kept and dropped, and exit (does not start)")
    boolean repair;

    @Override public Integer call() throws InterruptedException {
        if (repair) {
            System.out.println(psyche.chain.local.Ledger.repair(ledger != null ? ledger : LocalChain.defaultLedgerDir()));
            return 0;
        }
        LocalChain.Builder builder = LocalChain.builder().optRpcPort(rpcPort).optReset(reset);
        if (ledger != null) builder.optLedgerDir(ledger);
        LocalChain chain = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            chain.close();
            stopped.countDown();
        }, "local-validator-shutdown"));
        System.out.println("Local chain: JSON RPC URL " + chain.rpcUrl() + ", WebSocket URL " + chain.wsUrl() + ", ledger " + chain.ledgerDir()
                + ", faucet " + chain.ledger().faucet() + ", slot " + chain.ledger().slot());
        System.out.println("Stop with Ctrl-C or SIGTERM.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}

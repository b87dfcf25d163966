package psyche.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import psyche.Doctor;

/** {@code doctor}: prints what a bug report needs ({@link Doctor}); exits 0 whatever it finds. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Print what a bug report needs: versions, natives, Jupyter and kernelspec, ledger, wallet public key"
                + " (never a secret), RPC reachability, device.")
public final class DoctorCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--rpc", defaultValue = "${env:RPC:-http://127.0.0.1:8899}",
            description = "RPC URL or moniker to probe; env RPC (default: ${DEFAULT-VALUE})")
    String rpc;

    @Option(names = {"-w", "--wallet-private-key-path"}, defaultValue = "${env:WALLET_PRIVATE_KEY_PATH}",
            description = "keypair file whose public key to show (default: the workbench's default wallet)")
    Path wallet;

    @Option(names = "--ledger", paramLabel = "DIR", description = "local chain ledger directory (default: $PSYCHE_LEDGER or ~/.psyche/local-chain)")
    Path ledger;

    @Override public Integer call() {
        Doctor.Options options = Doctor.Options.defaults().withRpc(rpc).withWallet(wallet);
        if (ledger != null) options = options.withLedgerDir(ledger);
        spec.commandLine().getOut().print(Doctor.report(options));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

package psyche.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import psyche.chain.Keypair;
import psyche.ops.OpsException;

/**
 * {@code keygen pubkey FILE} / {@code keygen new -o FILE}: the two solana-keygen uses the seeds need, for machines
 * without the Solana CLI ({@code $(run-manager keygen pubkey joiner.json)}). Never overwrites a key file.
 */
@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Create a keypair file or print its public key (solana-keygen new/pubkey).",
        subcommands = {KeygenCommand.Pubkey.class, KeygenCommand.New.class})
public final class KeygenCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "pubkey", mixinStandardHelpOptions = true, description = "Print the public key of a keypair file.")
    static final class Pubkey implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "FILE", description = "a keypair file (Solana JSON array of 64 bytes)") Path file;

        @Override public Integer call() {
            spec.commandLine().getOut().println(Keypair.publicKeyOf(file));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Write a new keypair file (owner-only); refuses to overwrite.")
    static final class New implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = {"-o", "--outfile"}, required = true, description = "where to write the keypair file (refused if it exists)") Path file;

        @Override public Integer call() {
            if (Files.exists(file)) {
                throw new OpsException(OpsException.Reason.INVALID, file + " already exists; a key file is never overwritten (move it away first)");
            }
            try (Keypair k = Keypair.generate()) {
                k.save(file);
                spec.commandLine().getOut().println("Wrote new keypair to " + file + "\npubkey: " + k.publicKey());
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}

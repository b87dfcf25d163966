package psyche.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import psyche.chain.AccountKind;
import psyche.chain.ChainJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code decode-account --file FILE [--kind ...]}: raw account data (as {@code solana account --output-file} writes) to JSON. */
@Command(name = "decode-account", mixinStandardHelpOptions = true,
        description = "Print a Psyche account (raw data file) as JSON; the kind is detected from the discriminator by default.")
public final class DecodeAccountCommand implements Callable<Integer> {
    @Option(names = "--file", required = true, description = "raw account data, e.g. from `solana account ADDRESS --output-file FILE`")
    Path file;

    @Option(names = "--kind", defaultValue = "auto",
            description = "coordinator|instance|authorization|run|participant|mint|token-account|auto (default: ${DEFAULT-VALUE})")
    String kind;

    private static final Map<String, AccountKind> KINDS = Map.of("coordinator", AccountKind.COORDINATOR,
            "instance", AccountKind.INSTANCE, "authorization", AccountKind.AUTHORIZATION, "run", AccountKind.RUN,
            "participant", AccountKind.PARTICIPANT, "mint", AccountKind.MINT, "token-account", AccountKind.TOKEN_ACCOUNT);

    @Override public Integer call() throws IOException {
        byte[] data = psyche.config.InputFiles.read(file, psyche.config.InputFiles.MAX_ACCOUNT_BYTES, "account file");
        AccountKind k;
        try {
            k = kind.equals("auto") ? AccountKind.detect(data) : KINDS.get(kind);
        } catch (psyche.chain.ChainDecodeException e) {
            System.err.println("decode-account: " + file + ": " + e.getMessage());
            return 1;
        }
        if (k == null) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "unknown --kind '" + kind + "'; use one of " + KINDS.keySet() + " or auto");
        try {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("kind", k.name().toLowerCase());
            out.put("account", k.decode(data));
            System.out.println(ChainJson.write(out));
            return 0;
        } catch (psyche.chain.ChainDecodeException e) {
            System.err.println("decode-account: " + file + ": " + e.getMessage());
            return 1;
        }
    }
}

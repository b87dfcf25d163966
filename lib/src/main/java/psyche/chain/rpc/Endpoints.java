package psyche.chain.rpc;

import java.net.URI;
import java.util.Locale;

/** Solana RPC endpoint monikers, as the Solana CLI knows them ({@code -u localhost|devnet|testnet|mainnet-beta}). */
public final class Endpoints {
    public static final String LOCALHOST = "http://127.0.0.1:8899";
    public static final String DEVNET = "https://api.devnet.solana.com";
    public static final String TESTNET = "https://api.testnet.solana.com";
    public static final String MAINNET_BETA = "https://api.mainnet-beta.solana.com";

    private Endpoints() {}

    /** A moniker (localhost, l, devnet, d, testnet, t, mainnet-beta, mainnet, m) or an http(s) URL, as a URL. */
    public static URI resolve(String monikerOrUrl) {
        String s = monikerOrUrl.trim();
        String url = switch (s.toLowerCase(Locale.ROOT)) {
            case "localhost", "l", "local" -> LOCALHOST;
            case "devnet", "d" -> DEVNET;
            case "testnet", "t" -> TESTNET;
            case "mainnet-beta", "mainnet", "m" -> MAINNET_BETA;
            default -> s;
        };
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + monikerOrUrl + "' is neither an RPC URL nor a moniker "
                    + "(localhost, devnet, testnet, mainnet-beta)", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("'" + monikerOrUrl + "' is neither an http(s) RPC URL nor a moniker "
                    + "(localhost, devnet, testnet, mainnet-beta)");
        }
        return uri;
    }
}

package psyche.cli;

import java.nio.file.Path;
import java.util.Optional;

import picocli.CommandLine.Option;
import psyche.chain.Keypair;
import psyche.ops.Cluster;

/** run-manager's common options: {@code --rpc}, {@code --ws-rpc}, {@code -w/--wallet-private-key-path} (+ env). */
public final class ClusterOptions {
    @Option(names = "--rpc", defaultValue = "${env:RPC:-http://127.0.0.1:8899}",
            description = "RPC URL or moniker (localhost, devnet, testnet, mainnet-beta); env RPC (default: ${DEFAULT-VALUE})")
    String rpc;

    @Option(names = "--ws-rpc", defaultValue = "${env:WS_RPC:-ws://127.0.0.1:8900}",
            description = "WebSocket RPC URL; env WS_RPC (accepted for compatibility: confirmations are polled over --rpc)")
    String wsRpc;

    @Option(names = {"-w", "--wallet-private-key-path"}, defaultValue = "${env:WALLET_PRIVATE_KEY_PATH}",
            description = "keypair JSON file; env WALLET_PRIVATE_KEY_PATH; env RAW_WALLET_PRIVATE_KEY (JSON array or base58) wins;"
                    + " default ~/.config/solana/id.json")
    Path wallet;

    Cluster cluster() { return Cluster.connect(rpc); }

    Keypair wallet() { return Keypair.resolve(Optional.ofNullable(wallet), System.getenv()); }
}

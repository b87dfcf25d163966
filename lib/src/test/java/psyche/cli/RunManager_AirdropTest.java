package psyche.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunManager_AirdropTest {
    @TempDir Path dir;

    @Test
    void airdropFundsTheWalletFromTheFaucet() {
        Path wallet = dir.resolve("owner.json");
        try (Keypair k = Keypair.generate()) {
            k.save(wallet);
            try (LocalChain chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
                 RpcClient rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).build()) {
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = RunManager.execute("run-manager", new PrintWriter(out), new PrintWriter(err),
                        "airdrop", "2.5", "--rpc", chain.rpcUrl(), "-w", wallet.toString());
                assertEquals(0, code, err.toString());
                assertTrue(out.toString().contains("2.5 SOL to " + k.publicKey()), out.toString());
                assertEquals(2_500_000_000L, rpc.getBalance(k.publicKey().toBase58()));
            }
        }
    }
}

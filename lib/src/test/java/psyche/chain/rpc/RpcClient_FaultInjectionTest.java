package psyche.chain.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.Transaction;
import org.p2p.solanaj.programs.SystemProgram;

import psyche.chain.local.LocalChain;
import psyche.chain.Rent;
import psyche.chain.rpc.FaultInjectingProxy.Fault;

/** The client against a proxy injecting 429/500/reset/expired blockhash: each operation happens exactly once or fails typed. */
class RpcClient_FaultInjectionTest {
    private static final long SOL = Rent.LAMPORTS_PER_SOL;
    private LocalChain chain;
    private FaultInjectingProxy proxy;
    private RpcClient rpc;

    @BeforeEach void start() throws IOException {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        proxy = new FaultInjectingProxy(chain.rpcUrl());
        rpc = RpcClient.builder().optEndpoint(proxy.url()).optMaxRetries(3)
                .optBackoff(Duration.ofMillis(5), Duration.ofMillis(40)).optPollInterval(Duration.ofMillis(10)).build();
    }

    @AfterEach void stop() throws IOException {
        proxy.close();
        chain.close();
    }

    private Account funded() {
        Account a = new Account();
        chain.ledger().airdrop(psyche.coordinator.Pubkey.of(a.getPublicKey().toByteArray()), 10 * SOL);
        return a;
    }

    private static byte[] transfer(RpcTypes.Blockhash bh, Account from, Account to, long lamports) {
        Transaction tx = new Transaction();
        tx.addInstruction(SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), lamports));
        tx.setRecentBlockHash(bh.blockhash());
        tx.sign(from);
        return tx.serialize();
    }

    @Test void readsSurvive429And500AndReset() {
        Account a = funded();
        proxy.inject("getBalance", Fault.HTTP_429, Fault.HTTP_500, Fault.RESET_BEFORE_FORWARD);
        assertEquals(10 * SOL, rpc.getBalance(a.getPublicKeyBase58()));
        assertEquals(4, proxy.count("getBalance"));
    }

    @Test void retriesAreBoundedAndFailWithRpcException() {
        proxy.inject("getSlot", Fault.HTTP_503, Fault.HTTP_503, Fault.HTTP_503, Fault.HTTP_503, Fault.HTTP_503);
        RpcException e = assertThrows(RpcException.class, () -> rpc.getSlot());
        assertFalse(e instanceof TransactionFailedException);
        assertEquals(503, e.code());
        assertTrue(e.retryable());
        assertEquals(4, proxy.count("getSlot"), "first attempt + 3 retries, no more");
    }

    @Test void sendAndConfirmAppliesOnceDespiteTransportFaults() {
        Account from = funded();
        Account to = new Account();
        proxy.inject("sendTransaction", Fault.HTTP_500, Fault.RESET_BEFORE_FORWARD, Fault.HTTP_429);
        rpc.sendAndConfirm(bh -> transfer(bh, from, to, SOL));
        assertEquals(SOL, chain.ledger().account(psyche.coordinator.Pubkey.of(to.getPublicKey().toByteArray())).lamports());
        assertEquals(4, proxy.count("sendTransaction"));
    }

    @Test void lostResponseAfterLandingIsNotAppliedTwice() {
        Account from = funded();
        Account to = new Account();
        proxy.inject("sendTransaction", Fault.RESET_AFTER_FORWARD);
        int[] signings = {0};
        rpc.sendAndConfirm(bh -> { signings[0]++; return transfer(bh, from, to, SOL); });
        assertEquals(1, signings[0], "the resend carried the same signature, it was not re-signed");
        assertEquals(SOL, chain.ledger().account(psyche.coordinator.Pubkey.of(to.getPublicKey().toByteArray())).lamports());
        assertEquals(10 * SOL - SOL - 5000,
                chain.ledger().account(psyche.coordinator.Pubkey.of(from.getPublicKey().toByteArray())).lamports());
    }

    @Test void expiredBlockhashIsResignedAfterCheckingStatus() {
        Account from = funded();
        Account to = new Account();
        proxy.inject("sendTransaction", Fault.BLOCKHASH_NOT_FOUND);
        int[] signings = {0};
        rpc.sendAndConfirm(bh -> { signings[0]++; return transfer(bh, from, to, SOL + signings[0]); });
        assertEquals(2, signings[0]);
        assertTrue(proxy.count("getSignatureStatuses") >= 1, "the old signature's status was checked before re-signing");
        assertEquals(SOL + 2, chain.ledger().account(psyche.coordinator.Pubkey.of(to.getPublicKey().toByteArray())).lamports(),
                "only the re-signed transfer landed");
    }

    @Test void programErrorsAreNotRetried() {
        Account from = funded();
        Account to = new Account();
        TransactionFailedException e = assertThrows(TransactionFailedException.class,
                () -> rpc.sendAndConfirm(bh -> transfer(bh, from, to, 100 * SOL)));
        assertEquals(1L, e.customCode());
        assertEquals("ResultWithNegativeLamports", e.errorName());
        assertEquals("11111111111111111111111111111111", e.programId());
        assertEquals(1, proxy.count("sendTransaction"));
        assertTrue(e.getMessage().contains("custom program error: 0x1"), e.getMessage());
    }

    @Test void fallsBackToTheNextEndpoint() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) { dead = s.getLocalPort(); }
        RpcClient twoEndpoints = RpcClient.builder().optEndpoints(List.of("http://127.0.0.1:" + dead, proxy.url()))
                .optMaxRetries(2).optBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build();
        assertEquals("ok", twoEndpoints.getHealth());
        assertEquals("ok", twoEndpoints.getHealth());
        assertEquals(2, proxy.count("getHealth"), "after the fallback, the working endpoint is preferred");
    }

    @Test void monikersResolveToSolanasUrls() {
        assertEquals("http://127.0.0.1:8899", Endpoints.resolve("localhost").toString());
        assertEquals("https://api.devnet.solana.com", Endpoints.resolve("devnet").toString());
        assertEquals("https://api.testnet.solana.com", Endpoints.resolve("testnet").toString());
        assertEquals("https://api.mainnet-beta.solana.com", Endpoints.resolve("mainnet-beta").toString());
        assertThrows(IllegalArgumentException.class, () -> Endpoints.resolve("ftp://x"));
    }
}

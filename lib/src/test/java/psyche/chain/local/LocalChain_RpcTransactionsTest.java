package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.chain.local.SolanajTransactions.b58;
import static psyche.chain.local.SolanajTransactions.sign;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.AccountMeta;
import org.p2p.solanaj.core.PublicKey;
import org.p2p.solanaj.core.TransactionInstruction;
import org.p2p.solanaj.programs.AssociatedTokenProgram;
import org.p2p.solanaj.programs.SystemProgram;
import org.p2p.solanaj.programs.TokenProgram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Rent;
import psyche.chain.TokenAccount;
import psyche.chain.TokenMint;
import psyche.chain.rpc.Commitment;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes;
import psyche.chain.rpc.TransactionFailedException;
import psyche.coordinator.Pubkey;

/** End to end over JSON-RPC on a free loopback port, with transactions built and signed by solanaj. */
class LocalChain_RpcTransactionsTest {
    private static final long SOL = Rent.LAMPORTS_PER_SOL;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MutableClock clock;
    private static LocalChain chain;
    private static RpcClient rpc;

    @BeforeAll static void start() {
        clock = new MutableClock(1_700_000_000_000L);
        chain = LocalChain.builder().optInMemory().optRpcPort(0).optClock(clock).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(10))
                .optCommitment(Commitment.CONFIRMED).build();
    }

    @AfterAll static void stop() {
        rpc.close();
        chain.close();
    }

    private static Account funded(long lamports) {
        Account account = new Account();
        String sig = rpc.requestAirdrop(b58(account), lamports);
        rpc.confirm(sig, Commitment.FINALIZED, 0);
        return account;
    }

    private static JsonNode raw(String method, String params) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(chain.rpcUrl())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method
                        + "\",\"params\":" + params + "}")).build();
        return JSON.readTree(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String base64(byte[] tx) { return Base64.getEncoder().encodeToString(tx); }

    @Test void airdropCreditsTheAccountAndIsAFaucetTransfer() {
        Account a = funded(2 * SOL);
        assertEquals(2 * SOL, rpc.getBalance(b58(a)));
        RpcTypes.AccountInfo info = rpc.getAccountInfo(b58(a));
        assertEquals(Pubkey.SYSTEM.toBase58(), info.owner());
        assertEquals(0, info.data().length);
    }

    @Test void transferMovesLamportsAndChargesTheFee() throws Exception {
        Account from = funded(3 * SOL);
        Account to = new Account();
        String sig = rpc.sendAndConfirm(bh -> sign(bh, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), SOL)));
        assertEquals(SOL, rpc.getBalance(b58(to)));
        assertEquals(2 * SOL - 5000, rpc.getBalance(b58(from)));
        JsonNode tx = rpc.getTransaction(sig);
        assertEquals(5000, tx.path("meta").path("fee").asLong());
        assertEquals(List.of(3 * SOL, 0L, 1L), longs(tx.path("meta").path("preBalances")));
        assertEquals(List.of(2 * SOL - 5000, SOL, 1L), longs(tx.path("meta").path("postBalances")));
        assertEquals("Program 11111111111111111111111111111111 invoke [1]", tx.path("meta").path("logMessages").get(0).asText());
        assertEquals(b58(from), tx.path("transaction").path("message").path("accountKeys").get(0).asText());
        JsonNode status = raw("getSignatureStatuses", "[[\"" + sig + "\"]]").path("result").path("value").get(0);
        assertEquals("finalized", status.path("confirmationStatus").asText());
        assertTrue(status.path("status").has("Ok"));
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    @Test void createAccountAllocatesAssignsAndFundsRentExempt() {
        Account payer = funded(3 * SOL);
        Account created = new Account();
        PublicKey owner = new Account().getPublicKey();
        long rent = rpc.getMinimumBalanceForRentExemption(100);
        assertEquals((128 + 100) * 3480 * 2, rent);
        rpc.sendAndConfirm(bh -> sign(bh, List.of(payer, created),
                SystemProgram.createAccount(payer.getPublicKey(), created.getPublicKey(), rent, 100, owner)));
        RpcTypes.AccountInfo info = rpc.getAccountInfo(b58(created));
        assertEquals(rent, info.lamports());
        assertEquals(owner.toBase58(), info.owner());
        assertEquals(100, info.data().length);
        RpcTypes.AccountInfo slice = rpc.getAccountInfo(b58(created), new RpcTypes.DataSlice(10, 5));
        assertEquals(5, slice.data().length);

        // the same address again: AccountAlreadyInUse (system custom 0), rejected by preflight
        TransactionFailedException again = assertThrows(TransactionFailedException.class,
                () -> rpc.sendTransaction(sign(rpc.getLatestBlockhash(), List.of(payer, created),
                        SystemProgram.createAccount(payer.getPublicKey(), created.getPublicKey(), rent, 50, owner))));
        assertEquals(0L, again.customCode());
        assertEquals("AccountAlreadyInUse", again.errorName());
        assertTrue(again.logs().stream().anyMatch(l -> l.contains("already in use")), again.logs().toString());
    }

    @Test void createAccountBelowRentExemptionFails() {
        Account payer = funded(3 * SOL);
        Account created = new Account();
        TransactionFailedException e = assertThrows(TransactionFailedException.class,
                () -> rpc.sendTransaction(sign(rpc.getLatestBlockhash(), List.of(payer, created),
                        SystemProgram.createAccount(payer.getPublicKey(), created.getPublicKey(), 1000, 100,
                                payer.getPublicKey()))));
        assertEquals("InsufficientFundsForRent", e.errorName());
        assertEquals(1, e.err().path("InsufficientFundsForRent").path("account_index").asInt());
    }

    @Test void splMintAssociatedAccountsMintToAndTransferChecked() throws Exception {
        Account payer = funded(10 * SOL);
        Account mint = new Account();
        Account alice = new Account();
        Account bob = new Account();
        long mintRent = rpc.getMinimumBalanceForRentExemption(TokenMint.SIZE);
        rpc.sendAndConfirm(bh -> sign(bh, List.of(payer, mint),
                SystemProgram.createAccount(payer.getPublicKey(), mint.getPublicKey(), mintRent, TokenMint.SIZE, TokenProgram.PROGRAM_ID),
                TokenProgram.initializeMint(mint.getPublicKey(), 6, payer.getPublicKey(), null)));
        TokenMint state = TokenMint.decode(rpc.getAccountInfo(b58(mint)).data());
        assertEquals(6, state.decimals());
        assertTrue(state.initialized());
        assertEquals(SolanajTransactions.key(payer), state.mintAuthority().orElseThrow());

        PublicKey aliceAta = PublicKey.findProgramAddress(List.of(alice.getPublicKey().toByteArray(),
                TokenProgram.PROGRAM_ID.toByteArray(), mint.getPublicKey().toByteArray()), AssociatedTokenProgram.PROGRAM_ID).getAddress();
        PublicKey bobAta = PublicKey.findProgramAddress(List.of(bob.getPublicKey().toByteArray(),
                TokenProgram.PROGRAM_ID.toByteArray(), mint.getPublicKey().toByteArray()), AssociatedTokenProgram.PROGRAM_ID).getAddress();
        rpc.sendAndConfirm(bh -> sign(bh, List.of(payer),
                AssociatedTokenProgram.create(payer.getPublicKey(), alice.getPublicKey(), mint.getPublicKey()),
                AssociatedTokenProgram.createIdempotent(payer.getPublicKey(), bob.getPublicKey(), mint.getPublicKey()),
                TokenProgram.mintTo(mint.getPublicKey(), aliceAta, payer.getPublicKey(), 5_000_000)));
        // idempotent again: succeeds and changes nothing
        rpc.sendAndConfirm(bh -> sign(bh, List.of(payer),
                AssociatedTokenProgram.createIdempotent(payer.getPublicKey(), bob.getPublicKey(), mint.getPublicKey())));

        Account fundedAlice = alice;
        rpc.sendAndConfirm(bh -> sign(bh, List.of(payer, fundedAlice),
                TokenProgram.transferChecked(aliceAta, bobAta, 1_250_000, (byte) 6, alice.getPublicKey(), mint.getPublicKey())));
        TokenAccount aliceToken = TokenAccount.decode(rpc.getAccountInfo(aliceAta.toBase58()).data());
        TokenAccount bobToken = TokenAccount.decode(rpc.getAccountInfo(bobAta.toBase58()).data());
        assertEquals(3_750_000, aliceToken.amount());
        assertEquals(1_250_000, bobToken.amount());
        assertEquals(SolanajTransactions.key(bob), bobToken.owner());
        assertEquals(TokenAccount.SIZE, rpc.getAccountInfo(bobAta.toBase58()).data().length);
        assertEquals(rpc.getMinimumBalanceForRentExemption(165), rpc.getBalance(bobAta.toBase58()));
        assertEquals(5_000_000, TokenMint.decode(rpc.getAccountInfo(b58(mint)).data()).supply());

        JsonNode balance = raw("getTokenAccountBalance", "[\"" + bobAta.toBase58() + "\"]").path("result").path("value");
        assertEquals("1250000", balance.path("amount").asText());
        assertEquals("1.25", balance.path("uiAmountString").asText());

        // token accounts of this mint: memcmp on the mint at offset 0, dataSize 165, only the amount via dataSlice
        List<RpcTypes.ProgramAccount> holders = rpc.getProgramAccounts(TokenProgram.PROGRAM_ID.toBase58(),
                List.of(RpcTypes.Filter.dataSize(165), RpcTypes.Filter.memcmp(0, mint.getPublicKey().toByteArray())),
                new RpcTypes.DataSlice(64, 8));
        assertEquals(2, holders.size());
        for (RpcTypes.ProgramAccount h : holders) assertEquals(8, h.account().data().length);
        JsonNode withContext = raw("getProgramAccounts", "[\"" + TokenProgram.PROGRAM_ID.toBase58() + "\",{\"encoding\":\"base64\","
                + "\"withContext\":true,\"filters\":[{\"memcmp\":{\"offset\":32,\"bytes\":\"" + b58(bob) + "\"}}],"
                + "\"dataSlice\":{\"offset\":0,\"length\":0}}]").path("result");
        assertTrue(withContext.path("context").has("slot"));
        assertEquals(1, withContext.path("value").size());
        assertEquals(bobAta.toBase58(), withContext.path("value").get(0).path("pubkey").asText());
        assertEquals("", withContext.path("value").get(0).path("account").path("data").get(0).asText());

        // insufficient token funds: SPL custom 1, logged, whole transaction rejected
        TransactionFailedException e = assertThrows(TransactionFailedException.class, () -> rpc.sendTransaction(
                sign(rpc.getLatestBlockhash(), List.of(payer, fundedAlice),
                        TokenProgram.transferChecked(aliceAta, bobAta, 9_000_000, (byte) 6, alice.getPublicKey(), mint.getPublicKey()))));
        assertEquals(1L, e.customCode());
        assertEquals("InsufficientFunds", e.errorName());
        assertTrue(e.logs().contains("Program log: Error: insufficient funds"), e.logs().toString());

        // wrong decimals: MintDecimalsMismatch (18)
        TransactionFailedException d = assertThrows(TransactionFailedException.class, () -> rpc.sendTransaction(
                sign(rpc.getLatestBlockhash(), List.of(payer, fundedAlice),
                        TokenProgram.transferChecked(aliceAta, bobAta, 1, (byte) 9, alice.getPublicKey(), mint.getPublicKey()))));
        assertEquals(18L, d.customCode());
    }

    @Test void badSignatureIsRefusedWithSolanasCode() throws Exception {
        Account from = funded(SOL);
        byte[] tx = sign(rpc.getLatestBlockhash(), List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1000));
        tx[10] ^= 0x01;
        JsonNode error = raw("sendTransaction", "[\"" + base64(tx) + "\",{\"encoding\":\"base64\"}]").path("error");
        assertEquals(-32003, error.path("code").asInt());
        assertEquals("Transaction signature verification failure", error.path("message").asText());
        assertEquals(SOL, rpc.getBalance(b58(from)));
    }

    @Test void missingSignerFailsTheInstruction() {
        Account payer = funded(SOL);
        Account victim = funded(SOL);
        TransactionInstruction unsigned = new TransactionInstruction(SystemProgram.PROGRAM_ID,
                List.of(new AccountMeta(victim.getPublicKey(), false, true), new AccountMeta(payer.getPublicKey(), false, true)),
                java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(2).putLong(SOL / 2).array());
        TransactionFailedException e = assertThrows(TransactionFailedException.class,
                () -> rpc.sendTransaction(sign(rpc.getLatestBlockhash(), List.of(payer), unsigned)));
        assertEquals("MissingRequiredSignature", e.errorName());
        assertEquals(0, e.instructionIndex());
        assertEquals(SOL, rpc.getBalance(b58(victim)));
    }

    @Test void insufficientFundsGivesSolanasPreflightErrorShape() throws Exception {
        Account from = funded(SOL);
        byte[] tx = sign(rpc.getLatestBlockhash(), List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 5 * SOL));
        JsonNode error = raw("sendTransaction", "[\"" + base64(tx) + "\",{\"encoding\":\"base64\"}]").path("error");
        assertEquals(-32002, error.path("code").asInt());
        assertEquals("Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1",
                error.path("message").asText());
        assertEquals("{\"InstructionError\":[0,{\"Custom\":1}]}", error.path("data").path("err").toString());
        List<String> logs = new java.util.ArrayList<>();
        error.path("data").path("logs").forEach(l -> logs.add(l.asText()));
        assertEquals(List.of("Program 11111111111111111111111111111111 invoke [1]",
                "Program log: Transfer: insufficient lamports " + (SOL - 5000) + ", need " + 5 * SOL,
                "Program 11111111111111111111111111111111 failed: custom program error: 0x1"), logs);
        assertEquals(SOL, rpc.getBalance(b58(from)), "a preflight failure charges no fee");

        RpcTypes.Simulation sim = rpc.simulateTransaction(tx, false, false);
        assertEquals("{\"InstructionError\":[0,{\"Custom\":1}]}", sim.err().toString());
        assertEquals(3, sim.logs().size());
    }

    @Test void expiredBlockhashIsRejectedAndSendAndConfirmResigns() {
        Account from = funded(2 * SOL);
        Account to = new Account();
        RpcTypes.Blockhash old = rpc.getLatestBlockhash();
        clock.advance(Duration.ofMillis(Ledger.SLOT_MILLIS * (Ledger.BLOCKHASH_VALIDITY_SLOTS + 1)));
        assertFalse(rpc.isBlockhashValid(old.blockhash()));
        TransactionFailedException e = assertThrows(TransactionFailedException.class, () -> rpc.sendTransaction(
                sign(old, List.of(from), SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), SOL))));
        assertTrue(e.isBlockhashNotFound(), e.getMessage());
        assertEquals(0, rpc.getBalance(b58(to)));

        int[] signings = {0};
        rpc.sendAndConfirm(bh -> {
            signings[0]++;
            return sign(signings[0] == 1 ? old : bh, List.of(from), SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), SOL));
        });
        assertEquals(2, signings[0], "re-signed once, after the stale blockhash was refused");
        assertEquals(SOL, rpc.getBalance(b58(to)), "applied exactly once");
    }

    @Test void duplicateTransactionIsAlreadyProcessed() throws Exception {
        Account from = funded(2 * SOL);
        Account to = new Account();
        byte[] tx = sign(rpc.getLatestBlockhash(), List.of(from), SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), SOL));
        rpc.sendTransaction(tx);
        JsonNode error = raw("sendTransaction", "[\"" + base64(tx) + "\",{\"encoding\":\"base64\"}]").path("error");
        assertEquals(-32002, error.path("code").asInt());
        assertEquals("\"AlreadyProcessed\"", error.path("data").path("err").toString());
        assertEquals("Transaction simulation failed: This transaction has already been processed", error.path("message").asText());
        // our client treats a resend of a landed transaction as success, with no second effect
        assertEquals(RpcClient.signatureOf(tx), rpc.sendTransaction(tx));
        assertEquals(SOL, rpc.getBalance(b58(to)));
    }

    @Test void failedSecondInstructionRollsBackTheFirst() {
        Account from = funded(2 * SOL);
        Account to = new Account();
        byte[] tx = sign(rpc.getLatestBlockhash(), List.of(from),
                SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), SOL / 2),
                SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), 100 * SOL));
        String sig = rpc.sendTransaction(tx, true); // skip preflight: it lands, fails, pays the fee
        TransactionFailedException e = assertThrows(TransactionFailedException.class,
                () -> rpc.confirm(sig, Commitment.CONFIRMED, 0));
        assertEquals(1, e.instructionIndex());
        assertEquals(1L, e.customCode());
        assertEquals(sig, e.signature());
        assertFalse(e.logs().isEmpty());
        assertEquals(0, rpc.getBalance(b58(to)), "the first transfer was rolled back");
        assertEquals(2 * SOL - 5000, rpc.getBalance(b58(from)), "only the fee was charged");
    }

    @Test void rpcMethodsAnswerInSolanasShapes() throws Exception {
        assertEquals("ok", raw("getHealth", "[]").path("result").asText());
        assertTrue(raw("getVersion", "[]").path("result").has("solana-core"));
        long slot = raw("getSlot", "[]").path("result").asLong();
        assertEquals(slot, raw("getBlockHeight", "[]").path("result").asLong());
        JsonNode latest = raw("getLatestBlockhash", "[]").path("result");
        assertEquals(slot, latest.path("context").path("slot").asLong());
        assertEquals(slot + 150, latest.path("value").path("lastValidBlockHeight").asLong());
        assertTrue(raw("isBlockhashValid", "[\"" + latest.path("value").path("blockhash").asText() + "\"]")
                .path("result").path("value").asBoolean());
        assertEquals(Pubkey.base58Encode(chain.ledger().genesisHash()), raw("getGenesisHash", "[]").path("result").asText());
        assertEquals(432000, raw("getEpochInfo", "[]").path("result").path("slotsInEpoch").asLong());
        assertEquals(-32601, raw("noSuchMethod", "[]").path("error").path("code").asInt());
        assertEquals(-32602, raw("getBalance", "[\"not-a-key\"]").path("error").path("code").asInt());
        assertNull(rpc.getAccountInfo(b58(new Account())));
        JsonNode multiple = raw("getMultipleAccounts", "[[\"" + chain.ledger().faucet() + "\",\"" + b58(new Account())
                + "\"],{\"encoding\":\"base64\"}]").path("result").path("value");
        assertEquals(Ledger.FAUCET_LAMPORTS, multiple.get(0).path("lamports").asLong(), 0.0 + Ledger.FAUCET_LAMPORTS);
        assertTrue(multiple.get(1).isNull());
        Account from = new Account();
        byte[] tx = sign(latest.path("value").path("blockhash").asText(), List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        byte[] message = java.util.Arrays.copyOfRange(tx, 65, tx.length);
        assertEquals(5000, raw("getFeeForMessage", "[\"" + base64(message) + "\"]").path("result").path("value").asLong());
        // base58 encoding of sendTransaction (Solana's default) is accepted too
        Account payer = funded(SOL);
        byte[] b58tx = sign(rpc.getLatestBlockhash(), List.of(payer), SystemProgram.transfer(payer.getPublicKey(), from.getPublicKey(), SOL / 4));
        assertEquals(RpcClient.signatureOf(b58tx), raw("sendTransaction", "[\"" + Pubkey.base58Encode(b58tx) + "\"]").path("result").asText());
        assertNotNull(rpc.getTransaction(RpcClient.signatureOf(b58tx)));
        assertArrayEquals(new byte[0], rpc.getAccountInfo(b58(from)).data());
    }
}

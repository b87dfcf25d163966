package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.Authorization;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

/** The authorizer: create (inactive), grantor activation, grantee delegates with realloc, close conditions. */
class AuthorizerProgram_LifecycleTest {
    static PsycheChain c;

    @BeforeAll static void start() { c = new PsycheChain(); }

    @AfterAll static void stop() { c.close(); }

    Authorization read(Pubkey address) { return Authorization.decode(c.account(address).data()); }

    @Test void createActivateDelegateAndClose() {
        Keypair grantor = c.funded();
        Keypair grantee = c.funded();
        Pubkey address = c.pdas.joinAuthorization(grantor.publicKey(), grantee.publicKey()).address();
        c.send(grantor, c.authorizer.create(grantor.publicKey(), grantor.publicKey(), grantee.publicKey(), Pdas.Scopes.COORDINATOR_JOIN_RUN));
        Authorization created = read(address);
        assertFalse(created.active(), "created inactive");
        assertEquals(grantor.publicKey(), created.grantor());
        assertEquals(c.pdas.joinAuthorization(grantor.publicKey(), grantee.publicKey()).bump(), created.bump());
        assertEquals(c.rpc.getMinimumBalanceForRentExemption(created.encode().length), c.account(address).lamports());
        assertFalse(created.isValidFor(grantor.publicKey(), grantee.publicKey(), Pdas.Scopes.COORDINATOR_JOIN_RUN));

        // only the grantor activates (`constraint = authorization.grantor == grantor.key()` → ConstraintRaw 2003)
        PsycheChain.assertLogged(c.fails(2003, grantee, c.authorizer.grantorUpdate(grantee.publicKey(), address, true)),
                "Error Code: ConstraintRaw. Error Number: 2003");
        c.send(grantor, c.authorizer.grantorUpdate(grantor.publicKey(), address, true));
        assertTrue(read(address).isValidFor(grantor.publicKey(), grantee.publicKey(), Pdas.Scopes.COORDINATOR_JOIN_RUN));
        assertEquals(c.now(), read(address).grantorUpdateUnixTimestamp());

        // the grantee names delegate keys; the account grows (payer covers the rent) and shrinks again
        Keypair delegate = Keypair.generate();
        int before = c.account(address).data().length;
        c.fails(2003, grantor, c.authorizer.granteeUpdate(grantor.publicKey(), grantor.publicKey(), address, false, List.of(delegate.publicKey())));
        c.send(grantee, c.authorizer.granteeUpdate(grantee.publicKey(), grantee.publicKey(), address, false,
                List.of(delegate.publicKey(), Keypair.generate().publicKey())));
        assertEquals(before + 64, c.account(address).data().length);
        assertEquals(c.rpc.getMinimumBalanceForRentExemption(before + 64), c.account(address).lamports());
        assertTrue(read(address).isValidFor(grantor.publicKey(), delegate.publicKey(), Pdas.Scopes.COORDINATOR_JOIN_RUN));
        c.send(grantee, c.authorizer.granteeUpdate(grantee.publicKey(), grantee.publicKey(), address, true, List.of(delegate.publicKey())));
        assertEquals(before + 32, c.account(address).data().length);
        assertEquals(List.of(delegate.publicKey()), read(address).delegates());

        // close: active → 6000; inactive with delegates within 30 days → 6001; after 30 days it closes
        PsycheChain.assertLogged(c.fails(6000, grantor, c.authorizer.close(grantor.publicKey(), grantor.publicKey(), address)),
                "Error Code: AuthorizationActiveIsTrue. Error Number: 6000");
        c.send(grantor, c.authorizer.grantorUpdate(grantor.publicKey(), address, false));
        c.fails(6001, grantor, c.authorizer.close(grantor.publicKey(), grantor.publicKey(), address));
        c.clock.advance(Duration.ofDays(30));
        long balance = c.rpc.getBalance(grantor.publicKey().toBase58());
        long held = c.account(address).lamports();
        c.send(grantor, c.authorizer.close(grantor.publicKey(), grantor.publicKey(), address));
        assertNull(c.account(address));
        assertEquals(balance + held - 5_000, c.rpc.getBalance(grantor.publicKey().toBase58()));
    }

    @Test void aGrantWithoutDelegatesClosesAtOnceWhenInactive() {
        Keypair grantor = c.funded();
        Pubkey address = c.pdas.joinAuthorization(grantor.publicKey(), Pubkey.SYSTEM).address();
        c.send(grantor, c.authorizer.create(grantor.publicKey(), grantor.publicKey(), Pubkey.SYSTEM, Pdas.Scopes.COORDINATOR_JOIN_RUN));
        // a second create of the same grant: the system program refuses the existing address
        Keypair payer = c.funded(); // another payer, so the transaction differs from the first (same blockhash)
        assertTrue(c.fails(0, payer, List.of(c.authorizer.create(payer.publicKey(), grantor.publicKey(), Pubkey.SYSTEM,
                Pdas.Scopes.COORDINATOR_JOIN_RUN)), grantor).logs().stream().anyMatch(l -> l.contains("already in use")));
        c.send(grantor, c.authorizer.close(grantor.publicKey(), grantor.publicKey(), address));
        assertNull(c.account(address));
    }
}

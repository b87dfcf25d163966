// Cross-check of the local chain's JSON-RPC with @solana/web3.js (not part of mvn test: needs node + npm).
// Usage: cd lib/src/test/js && npm install && bin/run-manager local-validator --rpc-port 8899 --ledger /tmp/x --reset &
//        node web3-crosscheck.js http://127.0.0.1:8899   -> prints what web3.js read back; exits 1 on any failure
const web3 = require('@solana/web3.js');
(async () => {
  const url = process.argv[2];
  const c = new web3.Connection(url, 'confirmed');
  const out = {};
  out.version = await c.getVersion();
  const a = web3.Keypair.generate(), b = web3.Keypair.generate();
  const sig = await c.requestAirdrop(a.publicKey, 2 * web3.LAMPORTS_PER_SOL);
  out.airdropStatus = (await c.getSignatureStatuses([sig])).value[0].confirmationStatus;
  const bh = await c.getLatestBlockhash();
  const tx = new web3.Transaction({feePayer: a.publicKey, ...bh}).add(web3.SystemProgram.transfer({fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: web3.LAMPORTS_PER_SOL}));
  tx.sign(a);
  const s2 = await c.sendRawTransaction(tx.serialize());
  out.balanceB = await c.getBalance(b.publicKey);
  out.balanceA = await c.getBalance(a.publicKey);
  const t = await c.getTransaction(s2, {maxSupportedTransactionVersion: 0});
  out.fee = t.meta.fee; out.logs = t.meta.logMessages;
  const info = await c.getAccountInfo(a.publicKey);
  out.owner = info.owner.toBase58();
  out.rent = await c.getMinimumBalanceForRentExemption(165);
  const tx2 = new web3.Transaction({feePayer: a.publicKey, ...bh}).add(web3.SystemProgram.transfer({fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 100 * web3.LAMPORTS_PER_SOL}));
  tx2.sign(a);
  try { await c.sendRawTransaction(tx2.serialize()); out.preflight = 'no error?'; }
  catch (e) { out.preflight = e.message.split('\n')[0]; out.preflightLogs = e.logs; }
  const sim = await c.simulateTransaction(tx2);
  out.simErr = sim.value.err;
  out.epoch = (await c.getEpochInfo()).slotsInEpoch;
  out.pa = (await c.getProgramAccounts(web3.SystemProgram.programId, {filters: [{dataSize: 0}], dataSlice: {offset: 0, length: 0}})).length;
  out.multi = (await c.getMultipleAccountsInfo([a.publicKey, web3.Keypair.generate().publicKey])).map(x => x && x.lamports);
  console.log(JSON.stringify(out, null, 1));
})().catch(e => { console.error('FAILED', e); process.exit(1); });

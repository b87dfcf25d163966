// WebSocket PubSub cross-check with @solana/web3.js: sendAndConfirmTransaction (signatureSubscribe) and onAccountChange.
// Usage as web3-crosscheck.js: node web3-ws-crosscheck.js http://127.0.0.1:8899
const web3 = require('@solana/web3.js');
(async () => {
  const c = new web3.Connection(process.argv[2], 'confirmed');
  const a = web3.Keypair.generate(), b = web3.Keypair.generate();
  const airdrop = await c.requestAirdrop(a.publicKey, 2 * web3.LAMPORTS_PER_SOL);
  const bh0 = await c.getLatestBlockhash();
  await c.confirmTransaction({signature: airdrop, ...bh0}, 'confirmed');
  const seen = [];
  const sub = c.onAccountChange(b.publicKey, (info, ctx) => seen.push(info.lamports), 'confirmed');
  await new Promise(r => setTimeout(r, 300));
  const tx = new web3.Transaction().add(web3.SystemProgram.transfer({fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: web3.LAMPORTS_PER_SOL}));
  const sig = await web3.sendAndConfirmTransaction(c, tx, [a]);
  await new Promise(r => setTimeout(r, 500));
  await c.removeAccountChangeListener(sub);
  console.log(JSON.stringify({sig: sig.length, accountNotifications: seen, balance: await c.getBalance(b.publicKey)}));
  process.exit(0);
})().catch(e => { console.error('FAILED', e); process.exit(1); });

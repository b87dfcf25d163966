/**
 * Byte-exact codecs for Psyche's Solana programs: the zero-copy coordinator account, Borsh accounts and
 * instruction arguments, instruction builders, program-derived addresses, keypairs and legacy transactions.
 * Nothing here touches the network; every layout fact cites {@code psyche-spec.md} §7 or the Rust source.
 */
package psyche.chain;

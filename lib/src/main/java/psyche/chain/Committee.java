package psyche.chain;

/** A client's committee in a round; Borsh u8 in this order ({@code TieBreaker, Verifier, Trainer}). */
public enum Committee { TieBreaker, Verifier, Trainer }

package psyche.coordinator;

/** A client's state within an epoch (u8 on chain, in this order). */
public enum ClientState { Healthy, Dropped, Withdrawn, Ejected }

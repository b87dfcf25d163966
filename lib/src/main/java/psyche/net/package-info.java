/**
 * The network edge: {@link psyche.net.HttpEdge}, the one HTTP/WebSocket server stack (Jetty 12) behind the local
 * chain's JSON-RPC and PubSub and the training sessions' results exchange, with the limits that keep one connection
 * from stalling a server.
 */
package psyche.net;

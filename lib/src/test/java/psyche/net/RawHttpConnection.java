package psyche.net;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to a loopback port that sends bytes exactly as given and reads HTTP/1.1 responses
 * (Content-Length framed, or up to end of stream), so tests control every byte on the wire.
 */
final class RawHttpConnection implements AutoCloseable {
    /** A parsed response: status code, header names in lower case, body as text. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttpConnection(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000); // a test never hangs on a missing answer
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    RawHttpConnection send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.UTF_8));
    }

    RawHttpConnection send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** A POST of {@code body} to / with Content-Length framing. */
    RawHttpConnection post(String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n" + body);
    }

    Response read() throws IOException { return read(true); }

    /** The answer to a HEAD request: headers only, whatever its Content-Length says. */
    Response readHeadAnswer() throws IOException { return read(false); }

    private Response read(boolean bodyAllowed) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP status line: " + statusLine);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        int status = Integer.parseInt(parts[1]);
        byte[] body;
        if (!bodyAllowed || status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server has closed the connection (end of stream, or a reset after its close). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new EOFException("connection closed; read so far: " + bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.write(b);
        }
        String s = bytes.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override public void close() throws IOException { socket.close(); }
}

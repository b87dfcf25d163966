package psyche.chain;

import psyche.config.*;
import psyche.coordinator.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Random but valid coordinator states, for round-trip properties. */
final class RandomStates {
    private RandomStates() {}

    static String str(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append((char) ('!' + r.nextInt(94)));
        return sb.toString();
    }

    static Pubkey key(Random r) { byte[] b = new byte[32]; r.nextBytes(b); return Pubkey.of(b); }

    static long u32(Random r) { return r.nextLong() & 0xffffffffL; }

    static NodeIdentity id(Random r) { return new NodeIdentity(key(r), key(r)); }

    static WitnessBloom bloom(Random r) {
        long[] k = new long[8], b = new long[16];
        for (int i = 0; i < 8; i++) k[i] = r.nextLong();
        for (int i = 0; i < 16; i++) b[i] = r.nextLong();
        return new WitnessBloom(k, b);
    }

    static Optional<Float> optF(Random r) { return r.nextBoolean() ? Optional.of(r.nextFloat()) : Optional.empty(); }

    static Optional<String> optS(Random r, int max) { return r.nextBoolean() ? Optional.of(str(r, max)) : Optional.empty(); }

    static LlmModel model(Random r) {
        HubRepo hub = new HubRepo(str(r, 64), optS(r, 64));
        GcsRepo gcs = new GcsRepo(str(r, 64), optS(r, 64));
        Checkpoint cp = switch (r.nextInt(6)) {
            case 0 -> new Checkpoint.Ephemeral();
            case 1 -> new Checkpoint.Dummy(hub);
            case 2 -> new Checkpoint.Hub(hub);
            case 3 -> new Checkpoint.P2P(hub);
            case 4 -> new Checkpoint.Gcs(gcs);
            default -> new Checkpoint.P2PGcs(gcs);
        };
        HttpLocation loc = switch (r.nextInt(3)) {
            case 0 -> new HttpLocation.SingleUrl(str(r, 192));
            case 1 -> new HttpLocation.NumberedFiles(str(r, 64), u32(r), r.nextInt(256), u32(r));
            default -> new HttpLocation.Gcp(str(r, 64), str(r, 192));
        };
        byte[] seed = new byte[32];
        r.nextBytes(seed);
        DataLocation data = switch (r.nextInt(6)) {
            case 0 -> new DataLocation.Dummy();
            case 1 -> new DataLocation.Server(str(r, 64));
            case 2 -> new DataLocation.Local(str(r, 192));
            case 3 -> new DataLocation.Http(loc, TokenSize.values()[r.nextInt(2)],
                    r.nextBoolean() ? new Shuffle.DontShuffle() : new Shuffle.Seeded(seed));
            case 4 -> new DataLocation.WeightedHttp(str(r, 192));
            default -> new DataLocation.Preprocessed(str(r, 192));
        };
        LrSchedule lr = switch (r.nextInt(4)) {
            case 0 -> new LrSchedule.Constant(r.nextDouble(), r.nextDouble(), u32(r));
            case 1 -> new LrSchedule.Linear(r.nextDouble(), r.nextDouble(), r.nextDouble(), u32(r), u32(r));
            case 2 -> new LrSchedule.Cosine(r.nextDouble(), r.nextDouble(), r.nextDouble(), u32(r), u32(r));
            default -> new LrSchedule.WarmupStableDecay(r.nextDouble(), r.nextDouble(), r.nextDouble(), r.nextDouble(),
                    u32(r), u32(r), u32(r), u32(r));
        };
        Optimizer opt = switch (r.nextInt(3)) {
            case 0 -> new Optimizer.Dummy();
            case 1 -> new Optimizer.AdamW(r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat(), optF(r));
            default -> new Optimizer.Distro(optF(r), optF(r), r.nextFloat(), r.nextInt(65536), r.nextInt(65536), r.nextBoolean());
        };
        return new LlmModel(u32(r), u32(r), Architecture.values()[r.nextInt(4)], cp,
                DataType.values()[r.nextInt(2)], data, lr, opt);
    }

    static CoordinatorConfig config(Random r) {
        return new CoordinatorConfig(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(),
                u32(r), r.nextInt(65536), r.nextInt(65536), r.nextInt(65536), r.nextInt(65536), r.nextInt(65536),
                r.nextInt(256), r.nextInt(256));
    }

    static List<Client> clients(Random r, int max) {
        int n = r.nextInt(max + 1);
        List<Client> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Client(id(r), ClientState.values()[r.nextInt(4)], u32(r)));
        return out;
    }

    static InstanceState instance(Random r) {
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int nw = r.nextInt(r.nextInt(4) == 0 ? 33 : 3);
            List<Witness> ws = new ArrayList<>();
            for (int w = 0; w < nw; w++) {
                byte[] merkle = new byte[32];
                r.nextBytes(merkle);
                ws.add(new Witness(new WitnessProof(r.nextLong(), r.nextLong(), r.nextBoolean()), bloom(r), bloom(r), merkle));
            }
            rounds.add(new Round(ws, r.nextLong(), r.nextLong(), u32(r), r.nextInt(65536), r.nextInt(65536)));
        }
        int maxClients = r.nextInt(8) == 0 ? 256 : 5;
        EpochState epoch = new EpochState(rounds, clients(r, maxClients), clients(r, maxClients), u32(r), u32(r), u32(r),
                r.nextLong(), r.nextBoolean(), r.nextBoolean());
        CoordinatorState coord = new CoordinatorState(str(r, 32), RunState.values()[r.nextInt(8)], model(r), config(r),
                new Progress(r.nextInt(65536), u32(r), r.nextLong()), epoch, r.nextLong(), r.nextBoolean());
        List<SolanaClient> sc = new ArrayList<>();
        int ns = r.nextInt(maxClients + 1);
        for (int i = 0; i < ns; i++) sc.add(new SolanaClient(id(r), r.nextLong(), r.nextLong(), r.nextLong()));
        ClientsState cs = new ClientsState(sc, r.nextLong(), new Rates(r.nextLong(), r.nextLong()),
                new Rates(r.nextLong(), r.nextLong()));
        return new InstanceState(new RunMetadata(str(r, 64), str(r, 280), r.nextLong(), r.nextLong()), coord, cs,
                r.nextBoolean(), r.nextBoolean(), str(r, 96));
    }
}

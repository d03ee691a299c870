import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Runs mongo-java-server on 127.0.0.1 for the shop's embedded mode and tests.
 *
 * <p>Usage: {@code java -cp <jars> Launcher.java memory|<h2-file> [port]}. Prints {@code PORT <n>}
 * once listening, then serves until standard input closes, so the server never outlives the
 * Python process that started it.
 */
public class Launcher {
    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "memory";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        MongoBackend backend = store.equals("memory") ? new MemoryBackend() : new H2Backend(store);
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("PORT " + address.getPort());
        System.out.flush();
        while (System.in.read() != -1) {
            // Wait for the parent to close our standard input.
        }
        server.shutdown();
    }
}

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.h2.mvstore.MVStore;

/**
 * Runs mongo-java-server on 127.0.0.1 for the shop's embedded mode and tests.
 *
 * <p>Usage: {@code java -cp <jars> Launcher.java memory|<h2-file> [port]}. Prints {@code PORT <n>}
 * once listening, then serves until standard input closes, so the server never outlives the
 * Python process that started it. A file is served by {@link DurableH2Backend}.
 */
public class Launcher {
    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "memory";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        MongoBackend backend =
                store.equals("memory") ? new MemoryBackend() : DurableH2Backend.open(store);
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

    /**
     * The H2 backend with every write in the file before it is acknowledged.
     *
     * <p>The stock H2Backend lets the MVStore commit in the background, about once a second and
     * whatever the commands are doing: a killed process loses the last second of acknowledged
     * writes, and a commit taken half-way through a command (or between the maps it changes)
     * brings collections back from different moments. Here the store never commits by itself.
     * Every command that may write runs under a shared lock; before its reply goes out, it
     * commits the store under the exclusive lock, so the commit holds every write finished so
     * far and none half done. Writes that finish while a commit runs wait and share the next
     * one (group commit). Reads take no lock.
     *
     * <p>The commit writes the chunk to the file (the operating system's page cache), which
     * survives the process being killed. It does not fsync: a power loss can still lose the
     * last writes, and the file's own recovery then falls back to its last complete chunk.
     */
    static final class DurableH2Backend extends H2Backend {
        /** Commands that never change the store (lower case); all others count as writes. */
        private static final Set<String> READS = Set.of(
                "find", "getmore", "count", "distinct", "listcollections", "listindexes",
                "listdatabases", "hello", "ismaster", "buildinfo", "ping", "whatsmyuri",
                "serverstatus", "killcursors", "endsessions", "dbstats", "collstats",
                "getlasterror", "connectionstatus", "hostinfo", "getcmdlineopts", "getlog",
                "getparameter", "getfreemonitoringstatus", "replsetgetstatus", "currentop");

        private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();
        private final AtomicLong finishedWrites = new AtomicLong();
        private final Object committer = new Object();
        private long committedWrites; // guarded by committer

        static DurableH2Backend open(String fileName) {
            // Neither the background writer (delay 0) nor a writer whose unsaved changes pass
            // a threshold (buffer size 0) may commit: only commitThrough does.
            MVStore mvStore = new MVStore.Builder()
                    .fileName(fileName)
                    .autoCommitDisabled()
                    .autoCommitBufferSize(0)
                    .open();
            DurableH2Backend backend = new DurableH2Backend(mvStore);
            mvStore.commit(); // what opening the databases created
            return backend;
        }

        private DurableH2Backend(MVStore mvStore) {
            super(mvStore);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (isRead(command, query)) {
                return super.handleCommand(channel, database, command, query);
            }
            Document reply;
            long write;
            commitLock.readLock().lock();
            try {
                reply = super.handleCommand(channel, database, command, query);
            } finally {
                write = finishedWrites.incrementAndGet();
                commitLock.readLock().unlock();
            }
            commitThrough(write);
            return reply;
        }

        /** Commit, unless a commit that began after write number {@code write} finished did. */
        private void commitThrough(long write) {
            synchronized (committer) {
                if (committedWrites >= write) {
                    return;
                }
                commitLock.writeLock().lock();
                try {
                    long finished = finishedWrites.get();
                    getMvStore().commit();
                    committedWrites = finished;
                } finally {
                    commitLock.writeLock().unlock();
                }
            }
        }

        private static boolean isRead(String command, Document query) {
            String name = command.toLowerCase(Locale.ROOT);
            if (name.equals("aggregate")) {
                return !(query.get("pipeline") instanceof List<?> stages)
                        || stages.stream().noneMatch(DurableH2Backend::writesOutput);
            }
            return READS.contains(name);
        }

        private static boolean writesOutput(Object stage) {
            return stage instanceof Document document
                    && (document.containsKey("$out") || document.containsKey("$merge"));
        }

        @Override
        public void close() {
            commitLock.writeLock().lock();
            try {
                super.close();
            } finally {
                commitLock.writeLock().unlock();
            }
        }
    }
}

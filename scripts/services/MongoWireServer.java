// The embedded MongoDB wire server of the local stack: mongo-java-server on its H2 MVStore backend,
// run by scripts/services/mongo.sh as a single-file source program against the jars named in
// mongo-java-pom.xml (no build step):
//   java -cp '.cache/mongo-java/libs/*' scripts/services/MongoWireServer.java \
//     --host 127.0.0.1 --port 27017 --file .cache/mongo-java/data-27017/store.mv
//
// What it adds to the stock H2MongoServer, each measured as missing (docs/mongodb.md):
// - Durability: every command that changed the store is committed to the file before it is
//   answered, so an acknowledged write survives SIGKILL of this process (the stock server commits
//   once a second). Concurrent writers share one commit (group commit).
// - A server version the Node driver 7 accepts (5.0 / wire 13; the stock 5.0 reports wire 8), and
//   the `hello` command the driver uses once a server says `helloOk`.
// - Post-images that are the caller's own: findAndModify and queries hand out deep copies taken
//   under the collection lock, so a concurrent update cannot change a reply after the fact (the
//   stock server returned the same post-image of `$inc` to two concurrent callers).
// - Secondary indexes: equality and `$in` lookups on a non-unique index use an in-memory index
//   (rebuilt at start) instead of scanning the collection; everything else still scans.
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.QueryParameters;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

public class MongoWireServer {

  /** MongoDB 5.0 speaks wire version 13; the Node driver 7 refuses anything below 4.2 (wire 8). */
  enum Version implements MongoVersion {
    MONGO_5_0;

    @Override
    public List<Integer> getVersionArray() {
      return List.of(5, 0, 0);
    }

    @Override
    public int getWireVersion() {
      return 13;
    }
  }

  /** H2 backend that commits before answering and serves copies and secondary indexes. */
  static final class DurableBackend extends H2Backend {
    DurableBackend(MVStore store) {
      super(store);
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
      if (command.equalsIgnoreCase("hello")) {
        Document reply = super.handleCommand(channel, databaseName, "ismaster", query);
        reply.put("isWritablePrimary", Boolean.TRUE);
        reply.put("helloOk", Boolean.TRUE);
        return reply;
      }
      try {
        return super.handleCommand(channel, databaseName, command, query);
      } finally {
        // A failed command (say a unique violation after some inserts) may still have changed data.
        MVStore store = getMvStore();
        if (store.hasUnsavedChanges()) store.commit();
      }
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
      return new Database(databaseName, getMvStore(), getCursorRegistry());
    }
  }

  static final class Database extends H2Database {
    private final MVStore store;

    Database(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
      super(databaseName, store, cursorRegistry);
      this.store = store;
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
      // Called from H2Database's constructor too, before `store` is assigned: open the same maps.
      MVStore mvStore = store != null ? store : currentStore;
      String fullName = databaseName + "." + collectionName;
      MVMap<Object, Document> dataMap = mvStore.openMap("databases." + fullName);
      MVMap<String, Object> metaMap = mvStore.openMap("meta." + fullName);
      return new Collection_(this, collectionName, options, dataMap, metaMap, cursorRegistry);
    }

    @Override
    protected Index<Object> openOrCreateSecondaryIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      return new SecondaryIndex(indexName, keys, sparse);
    }
  }

  // H2Database keeps its store private; during its constructor we read it from this static, set
  // before the backend is created (one backend per process).
  static volatile MVStore currentStore;

  static final class Collection_ extends H2Collection {
    Collection_(MongoDatabase database, String name, CollectionOptions options,
        MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursors) {
      super(database, name, options, dataMap, metaMap, cursors);
    }

    // The parent keeps its index list private; this copy follows addIndex / dropIndex.
    private final List<Index<Object>> indexes = new CopyOnWriteArrayList<>();

    @Override
    public void addIndex(Index<Object> index) {
      super.addIndex(index);
      if (indexes.stream().noneMatch(known -> known.getName().equals(index.getName()))) indexes.add(index);
    }

    @Override
    public void dropIndex(String indexName) {
      super.dropIndex(indexName);
      indexes.removeIf(index -> index.getName().equals(indexName));
    }

    /**
     * The stock server uses an index only when the filter has exactly the index's fields, so
     * `{_id, deletedAt: null}`, a compare-and-set `{_id, eventSequence}` or a dedup lookup with an
     * expiry condition scanned the collection, and it sorts by scanning. Here: an index whose fields
     * the filter all pins narrows the candidates (the full filter still applies), else a sort with
     * a limit walks a secondary index in order.
     */
    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
        Document fieldSelector) {
      for (Index<Object> index : indexes) {
        List<IndexKey> keys = index.getKeys();
        if (query.size() <= keys.size()) continue;
        Document narrowed = new Document();
        for (IndexKey key : keys) {
          if (query.containsKey(key.getKey())) narrowed.put(key.getKey(), query.get(key.getKey()));
        }
        if (narrowed.size() == keys.size() && index.canHandle(narrowed)) {
          return matchDocuments(query, index.getPositions(narrowed), orderBy, skip, limit, batchSize, fieldSelector);
        }
      }
      boolean indexAnswersFilter = indexes.stream().anyMatch(index -> index.canHandle(query));
      if (!indexAnswersFilter && orderBy != null && !orderBy.isEmpty() && limit > 0) {
        String first = orderBy.keySet().iterator().next();
        Object direction = orderBy.get(first);
        for (Index<Object> index : indexes) {
          if (!(index instanceof SecondaryIndex) || !(direction instanceof Number)) continue;
          SecondaryIndex ordered = (SecondaryIndex) index;
          if (!ordered.field().equals(first) || !ordered.sortsCollectionOf(count())) continue;
          List<Document> candidates = new ArrayList<>();
          int matched = 0;
          for (List<Object> group : ordered.groupsInOrder(((Number) direction).intValue() < 0)) {
            for (Object position : group) {
              Document document = getDocument(position);
              if (document != null && documentMatchesQuery(document, query)) {
                candidates.add(document);
                matched++;
              }
            }
            // Whole groups of equal values, so the remaining sort keys order them correctly.
            if (matched >= skip + limit) break;
          }
          return matchDocumentsFromStream(candidates.stream(), query, orderBy, skip, limit, batchSize, fieldSelector);
        }
      }
      return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
    }

    @Override
    public synchronized Document findAndModify(Document query) {
      Document reply = super.findAndModify(query);
      Object value = reply.get("value");
      if (value instanceof Document) reply.put("value", ((Document) value).cloneDeeply());
      return reply;
    }

    @Override
    public synchronized QueryResult handleQuery(QueryParameters parameters) {
      QueryResult result = super.handleQuery(parameters);
      List<Document> copies = new ArrayList<>();
      for (Document document : result) copies.add(document.cloneDeeply());
      return new QueryResult(copies, result.getCursorId());
    }
  }

  /**
   * A non-unique index kept in memory (rebuilt from the data at start), ordered by BSON order: value
   * of the first key field (each element for arrays, i.e. multikey) to positions. It answers
   * filters that pin that field to a value or a `$in` list, and sorts on that field with a limit
   * (walked in order instead of sorting the collection); the full filter and sort still apply.
   */
  static final class SecondaryIndex extends Index<Object> {
    private final String field;
    private final TreeMap<Object, Set<Object>> positions = new TreeMap<>(ValueComparator.asc());
    private final Map<Object, List<Object>> valuesByPosition = new HashMap<>();
    private int arrays;

    SecondaryIndex(String name, List<IndexKey> keys, boolean sparse) {
      super(name, keys, sparse);
      this.field = keys.get(0).getKey();
    }

    String field() {
      return field;
    }

    private List<Object> valuesOf(Document document) {
      Object value = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValueCollectionAware(document, field);
      if (value instanceof Collection<?>) return new ArrayList<>(new LinkedHashSet<>((Collection<?>) value));
      List<Object> single = new ArrayList<>(1);
      single.add(value);
      return single;
    }

    /** Whether every document is in the index under exactly one scalar value (sortable by it). */
    synchronized boolean sortsCollectionOf(int documents) {
      return arrays == 0 && valuesByPosition.size() == documents;
    }

    /** Positions grouped by value, in ascending or descending order of the value. */
    synchronized List<List<Object>> groupsInOrder(boolean descending) {
      List<List<Object>> groups = new ArrayList<>();
      for (Set<Object> group : (descending ? positions.descendingMap() : positions).values()) {
        groups.add(new ArrayList<>(group));
      }
      return groups;
    }

    @Override
    public synchronized Object getPosition(Document document) {
      Object position = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValue(document, "_id");
      return valuesByPosition.containsKey(position) ? position : null;
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {}

    @Override
    public synchronized void add(Document document, Object position, MongoCollection<Object> collection) {
      Object raw = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValueCollectionAware(document, field);
      if (raw instanceof Collection<?>) arrays++;
      List<Object> values = valuesOf(document);
      valuesByPosition.put(position, values);
      for (Object value : values) positions.computeIfAbsent(value, v -> new LinkedHashSet<>()).add(position);
    }

    @Override
    public synchronized Object remove(Document document) {
      // H2 positions are the documents' _id values (see H2Collection.addDocumentInternal).
      Object position = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValue(document, "_id");
      return valuesByPosition.containsKey(position) ? removePosition(position, document) : null;
    }

    private Object removePosition(Object position, Document document) {
      List<Object> values = valuesByPosition.remove(position);
      if (values == null) return null;
      Object raw = de.bwaldvogel.mongo.backend.Utils.getSubdocumentValueCollectionAware(document, field);
      if (raw instanceof Collection<?>) arrays--;
      for (Object value : values) {
        Set<Object> set = positions.get(value);
        if (set == null) continue;
        set.remove(position);
        if (set.isEmpty()) positions.remove(value);
      }
      return position;
    }

    @Override
    public synchronized boolean canHandle(Document query) {
      Object condition = query.get(field);
      if (condition == null || !query.containsKey(field)) return false;
      if (condition instanceof Document) {
        Document operators = (Document) condition;
        if (operators.size() != 1) return false;
        Object in = operators.get("$in");
        if (in instanceof Collection<?>) {
          for (Object element : (Collection<?>) in) {
            if (element == null || element instanceof Document || element instanceof Collection<?>
                || element instanceof java.util.regex.Pattern) return false;
          }
          return true;
        }
        Object eq = operators.get("$eq");
        return eq != null && !(eq instanceof Document) && !(eq instanceof Collection<?>);
      }
      return !(condition instanceof Collection<?>) && !(condition instanceof java.util.regex.Pattern);
    }

    @Override
    public synchronized Iterable<Object> getPositions(Document query) {
      Object condition = query.get(field);
      List<Object> wanted = new ArrayList<>();
      if (condition instanceof Document) {
        Document operators = (Document) condition;
        if (operators.containsKey("$in")) wanted.addAll((Collection<?>) operators.get("$in"));
        else wanted.add(operators.get("$eq"));
      } else {
        wanted.add(condition);
      }
      Set<Object> result = new LinkedHashSet<>();
      for (Object value : wanted) {
        Set<Object> found = positions.get(value);
        if (found != null) result.addAll(found);
      }
      return new ArrayList<>(result);
    }

    @Override
    public synchronized long getCount() {
      return valuesByPosition.size();
    }

    @Override
    public synchronized long getDataSize() {
      return getCount();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {}

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, Object position,
        MongoCollection<Object> collection) {
      removePosition(position, oldDocument);
      add(newDocument, position, collection);
    }

    @Override
    public synchronized void drop() {
      positions.clear();
      valuesByPosition.clear();
      arrays = 0;
    }

    @Override
    public boolean isEmpty() {
      return true; // so the collection (re)builds it from the data when it is added
    }
  }

  public static void main(String[] args) {
    String host = "127.0.0.1";
    int port = 27017;
    String file = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--file" -> file = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    MVStore store = file == null ? MVStore.open(null) : new MVStore.Builder().fileName(file).open();
    // Committing every write makes many small chunks; the default 45 s before a dead chunk's space
    // is reused let the file grow by the write rate times 45 s (545 MB in one benchmark). The
    // retention only guards against an OS crash losing unflushed buffers, which commit-per-write
    // does not claim to survive anyway (see docs/mongodb.md).
    store.setRetentionTime(2_000);
    currentStore = store;
    DurableBackend backend = new DurableBackend(store);
    backend.version(Version.MONGO_5_0);
    MongoServer server = new MongoServer(backend);
    server.bind(new InetSocketAddress(host, port));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      store.close();
      System.out.println("MongoWireServer stopped");
    }));
    System.out.println("MongoWireServer listening on " + host + ":" + port
        + " (mongo-java-server, H2 " + (file == null ? "in memory" : file) + ", commit before reply)");
  }
}

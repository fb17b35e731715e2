package dev.folio.pageservice.timeline;

import dev.folio.format.TimelineId;
import dev.folio.format.index.TimelineIndex;
import dev.folio.format.layer.DeltaLayer;
import dev.folio.format.layer.ImageLayer;
import dev.folio.format.layer.LayerDescriptor;
import dev.folio.format.layer.LayerKind;
import dev.folio.format.layer.LayerMap;
import dev.folio.format.layout.StorageLayout;
import dev.folio.pageservice.api.ServiceError;
import dev.folio.pageservice.storage.LayerCache;
import dev.folio.pageservice.storage.ObjectStore;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timelines the page service has been asked about, each as of its newest committed index. A
 * timeline is known once it has an index under its tenant (its creation writes the first one). A
 * background task looks for newer indexes every poll interval and swaps them in; layers are
 * immutable, so one opened for an older index serves every newer one that still lists it.
 */
public final class Timelines implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Timelines.class);

  private record Key(String tenant, TimelineId timeline) {}

  private final ObjectStore store;
  private final LayerCache cache;
  private final String storageRoot;
  private final Consumer<TimelineIndex> onNewIndex;
  private final Map<Key, TimelineView> views = new ConcurrentHashMap<>();
  private final Map<String, Object> openLayers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;

  /**
   * @param onNewIndex told of every index loaded, oldest first per timeline, so that the Kafka
   *     tail can drop what the layers now hold
   */
  public Timelines(ObjectStore store, LayerCache cache, String storageRoot, Duration pollInterval,
      Consumer<TimelineIndex> onNewIndex) {
    this.store = store;
    this.cache = cache;
    this.storageRoot = storageRoot;
    this.onNewIndex = onNewIndex;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "folio-index-poller");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::refreshAll, pollInterval.toMillis(), pollInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The timeline as of its newest index, loading it on first use; empty if it has none. */
  public Optional<TimelineView> get(String tenant, TimelineId timeline) {
    Key key = new Key(tenant, timeline);
    TimelineView view = views.get(key);
    if (view != null) {
      return Optional.of(view);
    }
    return Optional.ofNullable(refresh(key));
  }

  /** Every timeline known so far. */
  public List<TimelineView> known() {
    return new ArrayList<>(views.values());
  }

  private void refreshAll() {
    for (Key key : views.keySet()) {
      try {
        refresh(key);
      } catch (RuntimeException e) {
        LOG.warn("Could not look for a newer index of timeline {}: {}", key.timeline(), e.getMessage());
      }
    }
  }

  /** Loads the newest index of a timeline if it is newer than the one held; returns the view. */
  private TimelineView refresh(Key key) {
    StorageLayout layout = new StorageLayout(storageRoot, key.tenant());
    List<String> names = store.list(layout.indexDirectory(key.timeline()));
    names.removeIf(n -> !n.endsWith(".json"));
    TimelineView held = views.get(key);
    if (names.isEmpty()) {
      return held;
    }
    String newestName = names.get(names.size() - 1);
    if (held != null && TimelineIndex.fileName(held.index().seq()).equals(newestName)) {
      return held;
    }
    String path = layout.indexDirectory(key.timeline()) + newestName;
    byte[] json = store.readIfExists(path);
    if (json == null) {
      return held;
    }
    TimelineIndex index = TimelineIndex.fromJson(path, json);
    TimelineView view = new TimelineView(key.tenant(), index, open(layout, index));
    synchronized (this) {
      TimelineView current = views.get(key);
      if (current != null && current.index().seq() >= index.seq()) {
        return current;
      }
      views.put(key, view);
    }
    onNewIndex.accept(index);
    return view;
  }

  private LayerMap open(StorageLayout layout, TimelineIndex index) {
    List<ImageLayer> images = new ArrayList<>();
    List<DeltaLayer> deltas = new ArrayList<>();
    for (LayerDescriptor d : index.layers()) {
      String path = layout.layer(index.timeline(), d.name());
      Object layer = openLayers.computeIfAbsent(path, p -> {
        try {
          var source = cache.open(p, d.fileName(), d.sizeBytes());
          return d.name().kind() == LayerKind.IMAGE ? ImageLayer.open(d.name(), source)
              : DeltaLayer.open(d.name(), source);
        } catch (IOException e) {
          throw new ServiceError(Status.Code.DATA_LOSS, "LAYER_UNREADABLE", "layer " + p + " of timeline "
              + index.timeline() + " cannot be read: " + e.getMessage(), e);
        }
      });
      if (layer instanceof ImageLayer image) {
        images.add(image);
      } else {
        deltas.add((DeltaLayer) layer);
      }
    }
    return new LayerMap(images, deltas);
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}

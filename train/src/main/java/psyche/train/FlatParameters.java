package psyche.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A model's parameters as views of one contiguous f32 buffer. Each view is an autograd leaf (its own gradient), and an
 * update of every parameter at once (the optimizer's sign steps) is one native call on {@link #flat()} instead of one
 * per tensor.
 *
 * <p>The map keeps the given (name) order; the buffer is laid out in {@link #bufferOrder()}: 2-D parameters by column
 * count then row count, then 1-D ones by length, ties in name order. The same projection of every layer and
 * matrices sharing a column count sit next to each other, so an optimizer can treat such a run as one matrix (DisTrO
 * transforms a run's tiles with two matrix products and no gather).
 */
public final class FlatParameters extends AbstractMap<String, NDArray> {
    private final NDArray flat;
    private final Map<String, NDArray> views;
    private final List<long[]> shapes;
    private final long[] offsets;
    private final int[] bufferOrder;

    private FlatParameters(NDArray flat, Map<String, NDArray> views, List<long[]> shapes, long[] offsets,
                           int[] bufferOrder) {
        this.flat = flat;
        this.views = Collections.unmodifiableMap(views);
        this.shapes = shapes;
        this.offsets = offsets;
        this.bufferOrder = bufferOrder;
    }

    /** Allocates the buffer in {@code manager} from named tensors (1-D or 2-D); the views require gradients. */
    public static FlatParameters of(NDManager manager, Map<String, Safetensors.Tensor> tensors) {
        List<long[]> shapes = new ArrayList<>();
        for (Safetensors.Tensor t : tensors.values()) shapes.add(t.shape().clone());
        int[] order = layoutOrder(shapes);
        List<Safetensors.Tensor> byIndex = new ArrayList<>(tensors.values());
        long total = 0;
        long[] offsets = new long[shapes.size()];
        for (int i : order) {
            offsets[i] = total;
            total += byIndex.get(i).data().length;
        }
        if (total > Integer.MAX_VALUE) throw new TrainingException("model of " + total + " parameters is too large for one buffer");
        float[] all = new float[(int) total];
        for (int i = 0; i < shapes.size(); i++) {
            float[] data = byIndex.get(i).data();
            System.arraycopy(data, 0, all, (int) offsets[i], data.length);
        }
        NDArray flat = manager.create(all, new Shape(total));
        NDScope.unregister(flat);
        Map<String, NDArray> views = new LinkedHashMap<>();
        int i = 0;
        for (String name : tensors.keySet()) {
            long end = offsets[i] + byIndex.get(i).data().length;
            NDArray view = flat.get(new NDIndex("{}:{}", offsets[i], end)).reshape(new Shape(shapes.get(i)));
            NDScope.unregister(view);
            view.setRequiresGradient(true);
            views.put(name, view);
            i++;
        }
        return new FlatParameters(flat, views, shapes, offsets, order);
    }

    /** Parameter indices in buffer order: 2-D by (columns, rows), then 1-D by length; stable. */
    private static int[] layoutOrder(List<long[]> shapes) {
        Comparator<Integer> byShape = Comparator.comparingInt((Integer i) -> shapes.get(i).length == 2 ? 0 : 1)
                .thenComparingLong(i -> shapes.get(i)[shapes.get(i).length - 1])
                .thenComparingLong(i -> shapes.get(i)[0]);
        return IntStream.range(0, shapes.size()).boxed().sorted(byShape).mapToInt(Integer::intValue).toArray();
    }

    /** Every parameter, laid out in {@link #bufferOrder()}: writing to it writes the parameters. */
    public NDArray flat() { return flat; }

    /** Number of scalars in all parameters. */
    public long elementCount() { return flat.size(); }

    /** Start of parameter {@code i} (in map order) within {@link #flat()}. */
    public long offset(int i) { return offsets[i]; }

    /** Number of scalars in parameter {@code i} (in map order). */
    public long size(int i) { return Arrays.stream(shapes.get(i)).reduce(1, (a, b) -> a * b); }

    /** Parameter indices (map order) in the order they occupy {@link #flat()}. */
    public int[] bufferOrder() { return bufferOrder.clone(); }

    public long[] shape(int i) { return shapes.get(i).clone(); }

    /** Named tensors (map order) cut from {@code buffer}, a copy of {@link #flat()} in buffer layout. */
    public Map<String, Safetensors.Tensor> tensors(float[] buffer) {
        if (buffer.length != elementCount()) {
            throw new IllegalArgumentException("buffer of " + buffer.length + " values for " + elementCount() + " parameters");
        }
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (String name : views.keySet()) {
            int from = (int) offsets[i];
            out.put(name, new Safetensors.Tensor(shape(i), Arrays.copyOfRange(buffer, from, from + (int) size(i))));
            i++;
        }
        return out;
    }

    @Override public Set<Entry<String, NDArray>> entrySet() { return views.entrySet(); }

    @Override public NDArray get(Object name) { return views.get(name); }

    @Override public int size() { return views.size(); }
}

package psyche.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model's parameters as views of one contiguous f32 buffer, in a fixed order. Each view is an autograd leaf (its
 * own gradient), and an update of every parameter at once (the optimizer's sign steps) is one native call on
 * {@link #flat()} instead of one per tensor.
 */
public final class FlatParameters extends AbstractMap<String, NDArray> {
    private final NDArray flat;
    private final Map<String, NDArray> views;
    private final List<long[]> shapes;
    private final long[] offsets;

    private FlatParameters(NDArray flat, Map<String, NDArray> views, List<long[]> shapes, long[] offsets) {
        this.flat = flat;
        this.views = Collections.unmodifiableMap(views);
        this.shapes = shapes;
        this.offsets = offsets;
    }

    /** Allocates the buffer in {@code manager} from named tensors (in iteration order); the views require gradients. */
    public static FlatParameters of(NDManager manager, Map<String, Safetensors.Tensor> tensors) {
        long total = 0;
        for (Safetensors.Tensor t : tensors.values()) total += t.data().length;
        if (total > Integer.MAX_VALUE) throw new TrainingException("model of " + total + " parameters is too large for one buffer");
        float[] all = new float[(int) total];
        long[] offsets = new long[tensors.size() + 1];
        List<long[]> shapes = new ArrayList<>();
        int i = 0;
        for (Safetensors.Tensor t : tensors.values()) {
            System.arraycopy(t.data(), 0, all, (int) offsets[i], t.data().length);
            offsets[i + 1] = offsets[i] + t.data().length;
            shapes.add(t.shape().clone());
            i++;
        }
        NDArray flat = manager.create(all, new Shape(total));
        NDScope.unregister(flat);
        Map<String, NDArray> views = new LinkedHashMap<>();
        i = 0;
        for (String name : tensors.keySet()) {
            NDArray view = flat.get(new NDIndex("{}:{}", offsets[i], offsets[i + 1])).reshape(new Shape(shapes.get(i)));
            NDScope.unregister(view);
            view.setRequiresGradient(true);
            views.put(name, view);
            i++;
        }
        return new FlatParameters(flat, views, shapes, offsets);
    }

    /** Every parameter, concatenated in order: writing to it writes the parameters. */
    public NDArray flat() { return flat; }

    /** Number of scalars in all parameters. */
    public long elementCount() { return offsets[offsets.length - 1]; }

    /** Start of parameter {@code i} (in order) within {@link #flat()}. */
    public long offset(int i) { return offsets[i]; }

    public long[] shape(int i) { return shapes.get(i).clone(); }

    @Override public Set<Entry<String, NDArray>> entrySet() { return views.entrySet(); }

    @Override public NDArray get(Object name) { return views.get(name); }

    @Override public int size() { return views.size(); }
}

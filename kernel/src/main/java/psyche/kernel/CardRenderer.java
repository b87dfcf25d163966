package psyche.kernel;

/**
 * Turns a value into a {@link Card}. Register one per type with {@link PsycheRenderers#registerCard}; other
 * libraries do so from their own jjava {@code Extension}.
 */
@FunctionalInterface
public interface CardRenderer<T> {
    Card card(T value);
}

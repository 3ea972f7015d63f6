package dev.migrator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.provider.Capabilities;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Checks, by reflection over {@link ObjectStore}, that a store wrapper forwards every method of the
 * interface, so that a method added later (a default method above all) is not silently answered by its
 * default on the wrapper instead of by the wrapped store.
 */
public final class WrapperCheck {
    private WrapperCheck() {
    }

    /** Every instance method of the interface (its static helpers and {@code unwrap} aside). */
    public static List<Method> methods() {
        List<Method> out = new ArrayList<>();
        for (Method m : ObjectStore.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !m.getName().equals("unwrap")) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * {@code wrap} applied to a recording store: the wrapper overrides every method of the interface (none
     * is left to the interface's default), calling each reaches the wrapped store under the same name, and
     * {@link ObjectStore#innermost} of the wrapper is the wrapped store.
     */
    public static void assertForwardsEveryMethod(Function<ObjectStore, ObjectStore> wrap) {
        for (Method m : methods()) {
            List<String> seen = new ArrayList<>();
            ObjectStore recorder = recorder(seen);
            ObjectStore wrapper = wrap.apply(recorder);
            Method implementation;
            try {
                implementation = wrapper.getClass().getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw new AssertionError(e);
            }
            assertThat(implementation.getDeclaringClass().isInterface())
                    .as(wrapper.getClass().getName() + " must override " + m + " (else its default runs on the wrapper)")
                    .isFalse();
            Object result;
            try {
                result = m.invoke(wrapper, arguments(m, recorder));
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            } catch (InvocationTargetException e) {
                throw new AssertionError(wrapper.getClass().getName() + "." + m.getName() + " failed", e.getCause());
            }
            if (result instanceof Stream<?> s) {
                try (s) {
                    s.iterator().hasNext(); // a lazy listing reaches the store only when it is read
                }
            }
            assertThat(seen).as(wrapper.getClass().getName() + "." + m.getName() + " must reach the wrapped store")
                    .contains(m.getName());
            assertThat(ObjectStore.innermost(wrapper)).as("innermost of " + wrapper.getClass().getName()).isSameAs(recorder);
        }
    }

    private static Object[] arguments(Method m, ObjectStore self) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            args[i] = t == String.class ? "k" : t == long.class ? 0L : t == int.class ? 0
                    : t == Content.class ? Content.of(new byte[0]) : t == ObjectMetadata.class ? ObjectMetadata.EMPTY
                    : t == ObjectStore.class ? self : null;
        }
        return args;
    }

    /** A store that records the name of every method called on it and answers with an empty value. */
    private static ObjectStore recorder(List<String> seen) {
        ObjectInfo info = new ObjectInfo("k", 0, Instant.EPOCH, null, Checksums.NONE, ObjectMetadata.EMPTY);
        return (ObjectStore) Proxy.newProxyInstance(WrapperCheck.class.getClassLoader(), new Class<?>[] {ObjectStore.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "toString":
                            return "recorder";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "unwrap":
                            return proxy;
                        default:
                            break;
                    }
                    seen.add(method.getName());
                    Class<?> r = method.getReturnType();
                    if (r == String.class) {
                        return "recorder://x/";
                    } else if (r == Stream.class) {
                        return Stream.empty();
                    } else if (r == Optional.class) {
                        return Optional.empty();
                    } else if (r == InputStream.class) {
                        return new ByteArrayInputStream(new byte[0]);
                    } else if (r == ObjectStore.Opened.class) {
                        return new ObjectStore.Opened(info, new ByteArrayInputStream(new byte[0]));
                    } else if (r == ObjectInfo.class) {
                        return info;
                    } else if (r == Capabilities.class) {
                        return Capabilities.NONE;
                    } else if (r == boolean.class) {
                        return false;
                    }
                    return null;
                });
    }
}

package io.cacheframework.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.cacheframework.serializer.DefaultValueSerializer;
import io.cacheframework.serializer.PickleLimits;
import io.cacheframework.serializer.PickleReader;
import io.cacheframework.serializer.PickleWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading what Django caches: the restricted unpickler on a pickled dict of about 1 KB (strings, ints, floats, a
 * nested list, as a typical cached Django value) against Java deserialization of the equivalent {@code HashMap}, both
 * plain {@link ObjectInputStream} and this library's filtered {@link DefaultValueSerializer}.
 *
 * <pre>
 * mvn -B -pl cache-spring-boot-benchmarks -am package -DskipTests
 * java -jar cache-spring-boot-benchmarks/target/benchmarks.jar PickleBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PickleBenchmark {

	private final PickleReader reader = new PickleReader(PickleLimits.defaults());

	private final DefaultValueSerializer serializer = new DefaultValueSerializer();

	private byte[] pickle;

	private byte[] javaSerialized;

	private byte[] ourSerialized;

	/**
	 * Build the dict and its three stored forms.
	 * @throws IOException never (in-memory streams)
	 */
	@Setup(Level.Trial)
	public void setUp() throws IOException {
		HashMap<String, Object> map = new HashMap<>();
		for (int i = 0; i < 20; i++) {
			map.put("name" + i, "value number " + i);
			map.put("count" + i, i * 1000);
		}
		for (int i = 0; i < 8; i++) {
			map.put("ratio" + i, i / 7.0);
		}
		List<Object> tags = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			tags.add("tag" + i);
		}
		map.put("tags", tags);
		map.put("active", Boolean.TRUE);
		this.pickle = new PickleWriter(PickleLimits.defaults()).write(map);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(map);
		}
		this.javaSerialized = bytes.toByteArray();
		this.ourSerialized = this.serializer.serialize(map);
		if (this.pickle.length < 800 || this.pickle.length > 1400 || !map.equals(this.reader.read(this.pickle))
				|| !map.equals(this.serializer.deserialize(this.ourSerialized))) {
			throw new IllegalStateException("pickle benchmark setup failed: pickle of " + this.pickle.length + " bytes");
		}
	}

	/** The restricted unpickler on the pickled dict (what reading a Django value costs). */
	@Benchmark
	public Object unpickle() {
		return this.reader.read(this.pickle);
	}

	/** Plain Java deserialization of the equivalent {@code HashMap}, no filter. */
	@Benchmark
	public Object javaDeserialize() throws IOException, ClassNotFoundException {
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(this.javaSerialized))) {
			return in.readObject();
		}
	}

	/** This library's filtered Java deserialization of the same map (what {@code value-format: java} costs). */
	@Benchmark
	public Object defaultSerializerDeserialize() {
		return this.serializer.deserialize(this.ourSerialized);
	}

}

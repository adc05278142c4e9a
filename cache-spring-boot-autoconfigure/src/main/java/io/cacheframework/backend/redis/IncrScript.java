package io.cacheframework.backend.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.NoSuchElementException;

import io.cacheframework.serializer.ValueCodec;
import org.jspecify.annotations.Nullable;

/**
 * {@code incr}/{@code decr} in one server-side step: a Lua script that reads the value and adds to it where it is,
 * keeping its expiry, so two clients never lose an increment and a missing key is never created (Django's
 * {@code RedisCache.incr} checks {@code EXISTS} and then calls {@code INCRBY}: two round trips, and a key that expires
 * between them comes back as the delta). It adds to both forms of a stored integer: Django's decimal text, with
 * Redis's own {@code INCRBY}, and a Java {@code Long} ({@link RedisWireFormat#javaLong(long)}), byte by byte in
 * place; anything else is refused as Redis refuses it. The script returns the new stored value, so that no number
 * goes through Lua's doubles.
 */
final class IncrScript {

	/** KEYS[1]: the key; ARGV[1]: the delta in decimal; ARGV[2]: the delta in 8 bytes, little-endian. */
	static final String SCRIPT = """
			local value = redis.pcall('GET', KEYS[1])
			if not value then
			  return false
			end
			if type(value) == 'table' then
			  return redis.error_reply('NOTINTEGER ' .. tostring(value.err))
			end
			if #value == 13 and string.sub(value, 1, 4) == '\\128\\4\\138\\8' and string.sub(value, 13) == '.' then
			  local delta = ARGV[2]
			  local sum = {}
			  local carry = 0
			  for i = 1, 8 do
			    local s = string.byte(value, 4 + i) + string.byte(delta, i) + carry
			    sum[i] = s % 256
			    carry = (s - sum[i]) / 256
			  end
			  local negative = string.byte(value, 12) >= 128
			  if negative == (string.byte(delta, 8) >= 128) and negative ~= (sum[8] >= 128) then
			    return redis.error_reply('OVERFLOW increment or decrement would overflow')
			  end
			  local bytes = string.char(unpack(sum))
			  redis.call('SETRANGE', KEYS[1], 4, bytes)
			  return string.sub(value, 1, 4) .. bytes .. '.'
			end
			if not string.find(value, '^%-?%d+$') then
			  return redis.error_reply('NOTINTEGER value is not an integer')
			end
			local result = redis.pcall('INCRBY', KEYS[1], ARGV[1])
			if type(result) == 'table' and result.err then
			  if string.find(result.err, 'overflow') then
			    return redis.error_reply('OVERFLOW increment or decrement would overflow')
			  end
			  return redis.error_reply('NOTINTEGER value is not an integer or out of range')
			end
			return redis.call('GET', KEYS[1])
			""";

	/** The script's SHA-1, for {@code EVALSHA}. */
	static final String SHA1 = sha1(SCRIPT);

	private IncrScript() {
	}

	/**
	 * The script's arguments for a delta.
	 * @param delta the amount to add
	 * @return ARGV
	 */
	static byte[][] arguments(long delta) {
		byte[] bytes = new byte[8];
		RedisWireFormat.littleEndian(delta, bytes, 0);
		return new byte[][] { ValueCodec.decimal(delta), bytes };
	}

	/**
	 * The new value from the script's reply.
	 * @param key the made key, for Django's message
	 * @param reply the new stored value, or {@code null} if the key was missing
	 * @return the new value
	 * @throws NoSuchElementException if the key was missing (Django's {@code ValueError})
	 */
	static long result(String key, byte @Nullable [] reply) {
		if (reply == null) {
			// Django's RedisCache message, naming the made key.
			throw new NoSuchElementException("Key '" + key + "' not found.");
		}
		if (RedisWireFormat.isJavaLong(reply)) {
			return RedisWireFormat.readLong(reply, RedisWireFormat.LONG_HEAD.length);
		}
		return ValueCodec.parseInteger(reply, true).longValue();
	}

	/**
	 * The caller's error for the script's refusal.
	 * @param key the made key
	 * @param message the script's error
	 * @return the exception to throw
	 */
	static RuntimeException refused(String key, String message) {
		if (message.startsWith("OVERFLOW")) {
			return new ArithmeticException("Incrementing key '" + key + "' would overflow a 64-bit integer");
		}
		return new IllegalStateException("Value of key '" + key + "' is not an integer Redis can increment");
	}

	private static String sha1(String script) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

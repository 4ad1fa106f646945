// simdjson's DOM behind include/recon/json_simd.h: the only C++ in recon.
//
// Everything that leaves this file is a struct raw_val or a status; no
// exception crosses into C (each entry point catches them: C++ `new` is the
// only thing that throws here, and simdjson itself allocates with nothrow
// and returns MEMALLOC). A refusal carries no reason on purpose: jansson
// reads a refused page again and says what is wrong with it.
#include <simdjson.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "recon/json_simd.h"

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(JSIMD_PADDING >= simdjson::SIMDJSON_PADDING, "page buffers are padded for simdjson");
// An element is a (document, tape index) pair: copied bytewise into the
// opaque handle of a raw_val, so C code can hold and pass it.
static_assert(sizeof(element) <= sizeof(raw_val::h.simd) && std::is_trivially_copyable<element>::value,
              "a DOM element fits a raw_val's handle");

struct jsimd_parser {
	simdjson::dom::parser parser;
};

namespace {

struct iter_state {
	simdjson::dom::array::iterator cur, end;
};
static_assert(sizeof(iter_state) <= sizeof(jsimd_iter::opaque) && std::is_trivially_copyable<iter_state>::value,
              "an array iterator fits jsimd_iter");

element elem_of(const raw_val *v)
{
	element e;
	std::memcpy(static_cast<void *>(&e), v->h.simd, sizeof(e));
	return e;
}

void fill(const element &e, raw_val *v)
{
	v->simd = 1;
	v->len = 0;
	switch (e.type()) {
	case element_type::ARRAY:
		v->type = RAW_ARRAY;
		std::memcpy(v->h.simd, static_cast<const void *>(&e), sizeof(e));
		break;
	case element_type::OBJECT:
		v->type = RAW_OBJECT;
		std::memcpy(v->h.simd, static_cast<const void *>(&e), sizeof(e));
		break;
	case element_type::INT64:
		v->type = RAW_INT;
		v->v.i = e.get_int64().value_unsafe();
		break;
	case element_type::UINT64:
		// 2^63 and above: jansson refuses such a page ("too big integer"),
		// so no conversion may take it either.
		v->type = RAW_BIGINT;
		break;
	case element_type::DOUBLE:
		v->type = RAW_REAL;
		v->v.d = e.get_double().value_unsafe();
		break;
	case element_type::STRING:
		v->type = RAW_STRING;
		v->v.s = e.get_c_str().value_unsafe();
		v->len = e.get_string_length().value_unsafe();
		break;
	case element_type::BOOL:
		v->type = RAW_BOOL;
		v->v.i = e.get_bool().value_unsafe() ? 1 : 0;
		break;
	case element_type::NULL_VALUE:
		v->type = RAW_NULL;
		break;
	}
}

void absent(raw_val *v)
{
	std::memset(v, 0, sizeof(*v));
	v->type = RAW_ABSENT;
	v->simd = 1;
}

// A name of len bytes as two words: its first and last 8 bytes (4, or
// three single bytes, when shorter), read within its len bytes. Two names
// of one length that agree in both differ only in the middle of a name
// longer than 16 bytes. Compared inline, they spare a memcmp call for
// every candidate key: half the look-ups' memcmp instructions (callgrind,
// 10k orders; bench/RESULTS.md issue 18 "loopmix").
struct name_words {
	uint64_t a, b;
};

inline name_words words_of(const char *p, size_t len)
{
	name_words w = { 0, 0 };
	if (len >= 8) {
		std::memcpy(&w.a, p, 8);
		std::memcpy(&w.b, p + len - 8, 8);
	} else if (len >= 4) {
		uint32_t x, y;
		std::memcpy(&x, p, 4);
		std::memcpy(&y, p + len - 4, 4);
		w.a = x;
		w.b = y;
	} else if (len) {
		w.a = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[len / 2] << 8 |
		      (uint64_t)(unsigned char)p[len - 1] << 16;
	}
	return w;
}

inline bool same_name(const char *p, size_t len, const name_words &w, const char *name)
{
	name_words k = words_of(p, len);
	return k.a == w.a && k.b == w.b && (len <= 16 || std::memcmp(p + 8, name + 8, len - 16) == 0);
}

// How many times key occurs in obj (0, 1, or 2 meaning "more than once");
// the first occurrence in *out.
int find_key(const simdjson::dom::object &obj, const char *key, size_t len, element *out)
{
	int n = 0;
	const name_words w = words_of(key, len);
	for (auto it = obj.begin(); it != obj.end(); ++it) {
		if (it.key_length() != len || !same_name(it.key_c_str(), len, w, key))
			continue;
		if (n++)
			return 2;
		*out = it.value();
	}
	return n;
}

// Per level of the dotted paths, the names read there; a name may be a
// path's end (its leaves: the out[] slots), lead further (child), or both.
struct key_entry {
	std::string name;
	size_t len = 0;
	name_words w = { 0, 0 };
	std::vector<int> leaves;
	int child = -1;
	int next = -1;            // the next entry in the same hash bucket
};
struct key_node {
	std::vector<key_entry> entries;
	std::array<int16_t, 256> bucket;
	key_node() { bucket.fill(-1); }
};

// Names at one level are a handful: length and the two end bytes tell them
// apart, so a lookup is one probe per key of the object, not a compare
// against every name read.
unsigned key_hash(const char *k, size_t len)
{
	if (!len)
		return 0;
	return (unsigned)(len * 31u + (unsigned char)k[0] * 7u + (unsigned char)k[len - 1]) & 255u;
}

constexpr size_t MAX_NAMES = 256;     // per level: the bitset of names seen

std::atomic<bool> ready;               // jsimd_init succeeded
void *reserve;
constexpr size_t INIT_RESERVE = 64 << 10;

void release_reserve()
{
	if (reserve) {
		std::free(reserve);
		reserve = nullptr;
	} else {
		std::set_new_handler(nullptr);
	}
}

} // namespace

struct jsimd_keys {
	std::vector<key_node> nodes;      // nodes[0]: the record itself
	size_t n = 0;
};

namespace {

int node_entry(jsimd_keys &k, int node, const char *name, size_t len)
{
	key_node &nd = k.nodes[(size_t)node];
	for (int j = nd.bucket[key_hash(name, len)]; j >= 0; j = nd.entries[(size_t)j].next)
		if (nd.entries[(size_t)j].name.size() == len && std::memcmp(nd.entries[(size_t)j].name.data(), name, len) == 0)
			return j;
	if (nd.entries.size() >= MAX_NAMES)
		return -1;
	key_entry e;
	e.name.assign(name, len);
	e.len = len;
	e.w = words_of(name, len);
	unsigned h = key_hash(name, len);
	e.next = nd.bucket[h];
	nd.entries.push_back(std::move(e));
	nd.bucket[h] = (int16_t)(nd.entries.size() - 1);
	return (int)(nd.entries.size() - 1);
}

bool lookup_node(const jsimd_keys &k, int node, const simdjson::dom::object &obj, raw_val *out)
{
	const key_node &nd = k.nodes[(size_t)node];
	uint64_t seen[MAX_NAMES / 64] = { 0, 0, 0, 0 };

	for (auto it = obj.begin(); it != obj.end(); ++it) {
		size_t len = it.key_length();
		const char *key = it.key_c_str();
		int j = nd.bucket[key_hash(key, len)];
		while (j >= 0) {
			const key_entry &e = nd.entries[(size_t)j];
			if (e.len == len && same_name(key, len, e.w, e.name.data()))
				break;
			j = e.next;
		}
		if (j < 0)
			continue;
		// A duplicate of a field read: jansson (JSON_REJECT_DUPLICATES)
		// refuses the page, so this parser may not pick one of the two.
		uint64_t bit = 1ull << ((unsigned)j & 63u);
		if (seen[j >> 6] & bit)
			return false;
		seen[j >> 6] |= bit;
		const key_entry &e = nd.entries[(size_t)j];
		element v = it.value();
		for (int leaf : e.leaves)
			fill(v, &out[leaf]);
		if (e.child >= 0 && v.type() == element_type::OBJECT &&
		    !lookup_node(k, e.child, v.get_object().value_unsafe(), out))
			return false;
	}
	return true;
}

} // namespace

extern "C" {

int jsimd_init(void)
{
	if (ready.load(std::memory_order_acquire))
		return 1;
	// simdjson picks the implementation for this CPU on first use, and
	// builds its table of implementations then: objects whose noexcept
	// constructors allocate strings. A failed allocation there is
	// std::terminate, out of anyone's reach (t0812 found it). So the
	// first use happens here, with a reserve freed by the new-handler on
	// a failure so that operator new's retry succeeds; a second failure
	// in these few hundred bytes would still terminate.
	reserve = std::malloc(INIT_RESERVE);
	if (!reserve)
		return 0;
	std::new_handler old = std::set_new_handler(release_reserve);
	// Any call on the active implementation makes it choose (set_best).
	(void)simdjson::get_active_implementation()->name();
	std::set_new_handler(old);
	std::free(reserve);
	reserve = nullptr;
	ready.store(true, std::memory_order_release);
	return 1;
}

struct jsimd_parser *jsimd_parser_new(void)
{
	if (!ready.load(std::memory_order_acquire))
		return nullptr;
	return new (std::nothrow) jsimd_parser;
}

void jsimd_parser_free(struct jsimd_parser *p)
{
	delete p;
}

size_t jsimd_parser_capacity(const struct jsimd_parser *p)
{
	return p ? p->parser.capacity() : 0;
}

void jsimd_iter_init(struct jsimd_iter *it, const struct raw_val *array)
{
	iter_state st;
	simdjson::dom::array a = elem_of(array).get_array().value_unsafe();
	st.cur = a.begin();
	st.end = a.end();
	std::memcpy(it->opaque, static_cast<const void *>(&st), sizeof(st));
}

int jsimd_iter_next(struct jsimd_iter *it, struct raw_val *out)
{
	iter_state st;
	std::memcpy(static_cast<void *>(&st), it->opaque, sizeof(st));
	if (!(st.cur != st.end))
		return 0;
	fill(*st.cur, out);
	++st.cur;
	std::memcpy(it->opaque, static_cast<const void *>(&st), sizeof(st));
	return 1;
}

enum jsimd_status jsimd_page_open(struct jsimd_parser *p, const char *buf, size_t len, const char *root_key,
                                  int single, struct jsimd_page *pg)
{
	try {
		element root, list;
		// realloc_if_needed = false: the caller's buffer is padded, so
		// the page is not copied once more.
		auto err = p->parser.parse(reinterpret_cast<const uint8_t *>(buf), len, false).get(root);
		if (err == simdjson::MEMALLOC) {
			// simdjson 3.0.1 keeps the capacity it failed to allocate and
			// would parse the next page into the missing buffers (a crash
			// t0812 found): start again from an empty parser.
			p->parser = simdjson::dom::parser();
			return JSIMD_NOMEM;
		}
		if (err || root.type() != element_type::OBJECT)
			return JSIMD_REFUSED;
		// "data.shopifyPaymentsAccount.payouts.nodes": a GraphQL page's list
		// lies a few objects down; each step must be an object and once
		list = root;
		for (const char *k = root_key;;) {
			const char *dot = std::strchr(k, '.');
			size_t n = dot ? (size_t)(dot - k) : std::strlen(k);
			if (list.type() != element_type::OBJECT ||
			    find_key(list.get_object().value_unsafe(), k, n, &list) != 1)
				return JSIMD_REFUSED;
			if (!dot)
				break;
			k = dot + 1;
		}
		pg->single = single;
		pg->done = 0;
		if (single) {
			if (list.type() != element_type::OBJECT)
				return JSIMD_REFUSED;
			fill(list, &pg->one);
		} else {
			raw_val l;
			if (list.type() != element_type::ARRAY)
				return JSIMD_REFUSED;
			fill(list, &l);
			jsimd_iter_init(&pg->it, &l);
		}
		return JSIMD_OK;
	} catch (...) {
		return JSIMD_NOMEM;
	}
}

enum jsimd_status jsimd_page_next(struct jsimd_page *pg, struct raw_val *rec)
{
	if (pg->single) {
		if (pg->done)
			return JSIMD_END;
		pg->done = 1;
		*rec = pg->one;
		return JSIMD_OK;
	}
	if (!jsimd_iter_next(&pg->it, rec))
		return JSIMD_END;
	return rec->type == RAW_OBJECT ? JSIMD_OK : JSIMD_REFUSED;
}

struct jsimd_keys *jsimd_keys_new(const char *const *paths, size_t n)
{
	try {
		jsimd_keys *k = new jsimd_keys;
		k->n = n;
		k->nodes.emplace_back();
		for (size_t i = 0; i < n; i++) {
			int node = 0;
			const char *p = paths[i];
			for (;;) {
				const char *dot = std::strchr(p, '.');
				size_t len = dot ? (size_t)(dot - p) : std::strlen(p);
				int j = node_entry(*k, node, p, len);
				if (j < 0) {
					delete k;
					return nullptr;
				}
				if (!dot) {
					k->nodes[(size_t)node].entries[(size_t)j].leaves.push_back((int)i);
					break;
				}
				if (k->nodes[(size_t)node].entries[(size_t)j].child < 0) {
					k->nodes.emplace_back();
					k->nodes[(size_t)node].entries[(size_t)j].child = (int)(k->nodes.size() - 1);
				}
				node = k->nodes[(size_t)node].entries[(size_t)j].child;
				p = dot + 1;
			}
		}
		return k;
	} catch (...) {
		return nullptr;
	}
}

void jsimd_keys_free(struct jsimd_keys *k)
{
	delete k;
}

enum jsimd_status jsimd_lookup(const struct jsimd_keys *k, const struct raw_val *obj, struct raw_val *out)
{
	for (size_t i = 0; i < k->n; i++)
		absent(&out[i]);
	return lookup_node(*k, 0, elem_of(obj).get_object().value_unsafe(), out) ? JSIMD_OK : JSIMD_REFUSED;
}

enum jsimd_status jsimd_get(const struct raw_val *obj, const char *path, struct raw_val *out)
{
	element cur = elem_of(obj);
	absent(out);
	for (;;) {
		const char *dot = std::strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : std::strlen(path);
		element v;
		int n = find_key(cur.get_object().value_unsafe(), path, len, &v);
		if (n > 1)
			return JSIMD_REFUSED;
		if (n == 0)
			return JSIMD_OK;
		if (!dot) {
			fill(v, out);
			return JSIMD_OK;
		}
		if (v.type() != element_type::OBJECT)
			return JSIMD_OK;
		cur = v;
		path = dot + 1;
	}
}

} // extern "C"

#include "framework/sweep/search.h"

#include <gsl/gsl_qrng.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <random>
#include <set>

#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab {

namespace {

constexpr const char* kSearchKeys = "sampler, trials, seed, space";
constexpr const char* kDistributions = "uniform, loguniform, int, choice";
constexpr double kTwoPow53Inv = 0x1.0p-53;
constexpr double kTwoPow30 = 0x1.0p30;

double to_unit(uint64_t x) { return static_cast<double>(x >> 11) * kTwoPow53Inv; }

// Shortest text that reads back as the same double, spelled as a float ("2.0", not "2"; the canonical
// form makes an integral float an integer all the same).
std::string float_text(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  AL_CHECK(ec == std::errc(), "cannot format {}", v);
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

// A value as the file spells it ("[0.0, 0.01]"), for messages.
std::string spelled(const cfg::Node& n) {
  if (n.is_scalar()) return n.text();
  if (!n.is_list()) return n.to_json().dump();
  std::string s = "[";
  for (const auto& v : n.items()) s += (s.size() > 1 ? ", " : "") + spelled(v);
  return s + "]";
}

void read_bounds(const cfg::Node& n, const std::string& key, const char* dist, double& lo, double& hi) {
  AL_CHECK(n.is_list() && n.items().size() == 2, "{}: search key '{}': {} takes [low, high], got {}", n.loc().str(),
           key, dist, spelled(n));
  const std::string ctx = fmt::format("search key '{}': {} bound", key, dist);
  if (std::string(dist) == "int") {
    int64_t a = 0, b = 0;
    cfg::read_value(n.items()[0], ctx, a);
    cfg::read_value(n.items()[1], ctx, b);
    lo = static_cast<double>(a);
    hi = static_cast<double>(b);
  } else {
    cfg::read_value(n.items()[0], ctx, lo);
    cfg::read_value(n.items()[1], ctx, hi);
  }
  AL_CHECK(lo < hi, "{}: search key '{}': {} bounds must have low < high, got {}", n.loc().str(), key, dist,
           spelled(n));
}

SearchDim read_dim(const cfg::Node::Entry& e) {
  SearchDim d;
  d.key = e.key;
  d.loc = e.value.loc();
  AL_CHECK(e.key != "seed", "{}: use the top-level 'seeds' key, not a search key 'seed'", e.key_loc.str());
  AL_CHECK(e.value.is_map() && !e.value.entries().empty(),
           "{}: search key '{}' must be a distribution: {{uniform: [a, b]}}, {{loguniform: [a, b]}}, {{int: [a, b]}} "
           "(log: true optional) or {{choice: [...]}}",
           e.value.loc().str(), e.key);
  static const std::vector<std::string> known = {"uniform", "loguniform", "int", "choice"};
  const cfg::Node::Entry* dist = nullptr;
  const cfg::Node* log_flag = nullptr;
  for (const auto& f : e.value.entries()) {
    if (f.key == "log") {
      log_flag = &f.value;
      continue;
    }
    AL_CHECK(std::find(known.begin(), known.end(), f.key) != known.end(),
             "{}: unknown distribution '{}' for search key '{}'{}; expected one of: {}", f.key_loc.str(), f.key, e.key,
             did_you_mean(f.key, known), kDistributions);
    AL_CHECK(!dist, "{}: search key '{}' has two distributions ('{}' and '{}'); give one", f.key_loc.str(), e.key,
             dist ? dist->key : "", f.key);
    dist = &f;
  }
  AL_CHECK(dist, "{}: search key '{}' has no distribution; expected one of: {}", e.value.loc().str(), e.key,
           kDistributions);
  const cfg::Node& v = dist->value;
  if (dist->key == "uniform") {
    d.kind = SearchDim::Kind::uniform;
    read_bounds(v, e.key, "uniform", d.lo, d.hi);
  } else if (dist->key == "loguniform") {
    d.kind = SearchDim::Kind::loguniform;
    read_bounds(v, e.key, "loguniform", d.lo, d.hi);
    AL_CHECK(d.lo > 0, "{}: search key '{}': loguniform bounds must be > 0, got {}", v.loc().str(), e.key,
             spelled(v));
  } else if (dist->key == "int") {
    d.kind = SearchDim::Kind::integer;
    read_bounds(v, e.key, "int", d.lo, d.hi);
    if (log_flag) cfg::read_value(*log_flag, fmt::format("search key '{}': 'log'", e.key), d.log);
    AL_CHECK(!d.log || d.lo >= 1, "{}: search key '{}': int with log: true needs bounds >= 1, got {}", v.loc().str(),
             e.key, spelled(v));
  } else {
    d.kind = SearchDim::Kind::choice;
    AL_CHECK(v.is_list(), "{}: search key '{}': choice takes a list of values, got {}", v.loc().str(), e.key,
             v.kind_name());
    AL_CHECK(!v.items().empty(), "{}: search key '{}': choice is an empty list", v.loc().str(), e.key);
    d.choices = v.items();
  }
  AL_CHECK(!log_flag || d.kind == SearchDim::Kind::integer,
           "{}: search key '{}': 'log' applies to int only (use loguniform for a float)",
           log_flag ? log_flag->loc().str() : "", e.key);
  return d;
}

SearchSpec::Sampler read_sampler(const cfg::Node& n) {
  std::string name;
  cfg::read_value(n, "search: 'sampler'", name);
  AL_CHECK(name == "random" || name == "sobol", "{}: unknown sampler '{}' in search{}; expected random or sobol",
           n.loc().str(), name, did_you_mean(name, {"random", "sobol"}));
  return name == "sobol" ? SearchSpec::Sampler::sobol : SearchSpec::Sampler::random;
}

int read_trials(const cfg::Node& n) {
  int trials = 0;
  cfg::read_value(n, "search: 'trials'", trials);
  AL_CHECK(trials >= 1, "{}: search: 'trials' must be >= 1, got {}", n.loc().str(), trials);
  return trials;
}

uint64_t read_seed(const cfg::Node& n) {
  int64_t seed = 0;
  cfg::read_value(n, "search: 'seed'", seed);
  AL_CHECK(seed >= 0, "{}: search: 'seed' must be >= 0, got {}", n.loc().str(), seed);
  return static_cast<uint64_t>(seed);
}

}  // namespace

void check_search(const SearchSpec& s) {
  AL_CHECK(s.trials >= 1, "{}: search: 'trials' must be >= 1, got {}", s.loc.str(), s.trials);
  AL_CHECK(s.sampler != SearchSpec::Sampler::sobol || s.dims.size() <= static_cast<size_t>(kSobolMaxDims),
           "{}: a sobol search over {} keys: GSL's Sobol generator has at most {} dimensions; use sampler: random",
           s.loc.str(), s.dims.size(), kSobolMaxDims);
  AL_CHECK(s.sampler != SearchSpec::Sampler::sobol || s.trials <= (1 << 30),
           "{}: a sobol search of {} trials: GSL's Sobol generator gives at most 2^30 points", s.loc.str(), s.trials);
}

void override_search(SearchSpec& s, const std::string& field, const cfg::Node& value, const std::string& origin) {
  if (field == "trials") {
    s.trials = read_trials(value);
  } else if (field == "seed") {
    s.seed = read_seed(value);
  } else if (field == "sampler") {
    s.sampler = read_sampler(value);
  } else {
    fail("{}: only search.trials, search.seed and search.sampler can be overridden; edit the space in the sweep file",
         origin);
  }
  check_search(s);
}

SearchSpec parse_search(const cfg::Node& block, const std::vector<std::pair<std::string, std::string>>& taken) {
  SearchSpec s;
  s.loc = block.loc();
  AL_CHECK(block.is_map(), "{}: key 'search' must be a map with keys {}", block.loc().str(), kSearchKeys);
  static const std::vector<std::string> known = {"sampler", "trials", "seed", "space"};
  for (const auto& e : block.entries())
    AL_CHECK(std::find(known.begin(), known.end(), e.key) != known.end(),
             "{}: unknown key '{}' in search{}; expected one of: {}", e.key_loc.str(), e.key,
             did_you_mean(e.key, known), kSearchKeys);
  if (const cfg::Node* n = block.find("sampler")) s.sampler = read_sampler(*n);
  const cfg::Node* trials = block.find("trials");
  AL_CHECK(trials, "{}: search: give 'trials: N' (how many points to draw)", block.loc().str());
  s.trials = read_trials(*trials);
  if (const cfg::Node* n = block.find("seed")) s.seed = read_seed(*n);
  const cfg::Node* space = block.find("space");
  AL_CHECK(space && space->is_map() && !space->entries().empty(),
           "{}: search: 'space' must map dotted keys to distributions", space ? space->loc().str() : block.loc().str());
  for (const auto& e : space->entries()) {
    const auto t = std::find_if(taken.begin(), taken.end(), [&](const auto& kv) { return kv.first == e.key; });
    AL_CHECK(t == taken.end(), "{}: '{}' is both a {} axis and a search key; give it one place", e.key_loc.str(),
             e.key, t == taken.end() ? "" : t->second);
    s.dims.push_back(read_dim(e));
  }
  check_search(s);
  return s;
}

std::vector<std::vector<double>> random_points(int n, int d, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<std::vector<double>> pts(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(d)));
  for (auto& p : pts)
    for (auto& u : p) u = to_unit(gen());
  return pts;
}

constexpr uint64_t kSobolShiftStream = 0x9E3779B97F4A7C15ull;

std::vector<std::vector<double>> sobol_points(int n, int d, uint64_t seed, bool shift) {
  AL_CHECK(d >= 1 && d <= kSobolMaxDims, "sobol: {} dimensions; GSL's generator has 1 to {}", d, kSobolMaxDims);
  AL_CHECK(n >= 0 && n <= (1 << 30), "sobol: {} points; GSL's generator gives at most 2^30", n);
  std::unique_ptr<gsl_qrng, decltype(&gsl_qrng_free)> q(gsl_qrng_alloc(gsl_qrng_sobol, static_cast<unsigned>(d)),
                                                        &gsl_qrng_free);
  AL_CHECK(q != nullptr, "sobol: gsl_qrng_alloc failed for {} dimensions", d);
  std::vector<uint64_t> words(static_cast<size_t>(d), 0);
  if (shift) {
    // Its own stream (the seed XOR 2^64 / golden ratio), so that the shift never equals the random
    // sampler's first trial of the same seed (which would give the two samplers a run in common).
    std::mt19937_64 gen(seed ^ kSobolShiftStream);
    for (auto& w : words) w = gen() >> 11;
  }
  std::vector<std::vector<double>> pts(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(d)));
  std::vector<double> x(static_cast<size_t>(d), 0.0);  // point 0: the origin
  for (int i = 0; i < n; ++i) {
    if (i > 0) AL_CHECK(gsl_qrng_get(q.get(), x.data()) == 0, "sobol: gsl_qrng_get failed at point {}", i);
    for (size_t j = 0; j < x.size(); ++j) {
      // GSL's coordinates are 30-bit numerators over 2^30; as 53-bit numerators, XORed with the shift.
      const double scaled = x[j] * kTwoPow30;
      const auto num = static_cast<uint64_t>(scaled);
      AL_CHECK(static_cast<double>(num) == scaled && num < (uint64_t{1} << 30), "sobol: unexpected coordinate {}", x[j]);
      pts[static_cast<size_t>(i)][j] = static_cast<double>((num << 23) ^ words[j]) * kTwoPow53Inv;
    }
  }
  return pts;
}

cfg::Node search_value(const SearchDim& d, double u) {
  switch (d.kind) {
    case SearchDim::Kind::uniform:
    case SearchDim::Kind::loguniform: {
      double v = d.kind == SearchDim::Kind::uniform
                     ? d.lo + u * (d.hi - d.lo)
                     : std::exp(std::log(d.lo) + u * (std::log(d.hi) - std::log(d.lo)));
      // [lo, hi): rounding may reach hi (or, through exp, fall below lo).
      if (v >= d.hi) v = std::nextafter(d.hi, d.lo);
      if (v < d.lo) v = d.lo;
      return cfg::Node::make_scalar(float_text(v), false, d.loc);
    }
    case SearchDim::Kind::integer: {
      const double top = d.hi + 1;
      const double v = d.log ? std::exp(std::log(d.lo) + u * (std::log(top) - std::log(d.lo))) : d.lo + u * (top - d.lo);
      const double k = std::clamp(std::floor(v), d.lo, d.hi);
      return cfg::Node::make_scalar(std::to_string(static_cast<int64_t>(k)), false, d.loc);
    }
    case SearchDim::Kind::choice: {
      const size_t n = d.choices.size();
      const auto i = std::min(static_cast<size_t>(std::floor(u * static_cast<double>(n))), n - 1);
      return d.choices[i];
    }
  }
  fail("search key '{}': unknown distribution", d.key);
}

std::vector<std::vector<std::pair<std::string, cfg::Node>>> draw_trials(const SearchSpec& s) {
  check_search(s);
  const int d = static_cast<int>(s.dims.size());
  const auto pts = s.sampler == SearchSpec::Sampler::sobol ? sobol_points(s.trials, d, s.seed)
                                                           : random_points(s.trials, d, s.seed);
  std::vector<std::vector<std::pair<std::string, cfg::Node>>> trials;
  for (const auto& p : pts) {
    std::vector<std::pair<std::string, cfg::Node>> t;
    for (size_t j = 0; j < s.dims.size(); ++j) t.emplace_back(s.dims[j].key, search_value(s.dims[j], p[j]));
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace adaptlab

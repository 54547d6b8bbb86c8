// A sweep's `search:` block: distributions over dotted keys, and the samplers that draw its trials.
// The trials depend only on the block (sampler, trials, seed, space), never on the machine or the
// standard library: the random sampler is std::mt19937_64 (its output sequence is fixed by the C++
// standard) turned into doubles by hand; the Sobol sampler is GSL's gsl_qrng_sobol (Bratley & Fox's
// direction numbers, at most 40 dimensions) with a seeded random digital shift.
//
//   search:
//     sampler: sobol                                  # random (default) | sobol
//     trials: 12                                      # required, >= 1
//     seed: 3                                         # default 0
//     space:                                          # dotted key -> one distribution
//       train.lr: {loguniform: [1.0e-4, 1.0e-2]}      #   exp(uniform(log a, log b)), 0 < a < b
//       train.weight_decay: {uniform: [0.0, 0.1]}     #   a + u (b - a), in [a, b)
//       methods.0.rank: {int: [4, 64], log: true}     #   an integer in [a, b] (log: loguniform on [a, b+1))
//       methods.0.alpha: {choice: [8, 16, 32]}        #   one of the values (any YAML value, a method stack too)
//
// Each key is one dimension, in file order; trial t's point u_t in [0,1)^d gives every key its value.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "framework/config/node.h"

namespace adaptlab {

struct SearchDim {
  enum class Kind { uniform, loguniform, integer, choice };
  std::string key;
  cfg::Loc loc;                    // the distribution (values drawn for this key carry it)
  Kind kind = Kind::uniform;
  double lo = 0, hi = 1;           // uniform / loguniform / int bounds (int: inclusive)
  bool log = false;                // int only
  std::vector<cfg::Node> choices;  // choice only
};

struct SearchSpec {
  enum class Sampler { random, sobol };
  Sampler sampler = Sampler::random;
  int trials = 0;
  uint64_t seed = 0;
  std::vector<SearchDim> dims;
  cfg::Loc loc;  // the `search:` block
};

inline constexpr int kSobolMaxDims = 40;  // GSL's gsl_qrng_sobol

// The `search:` block, checked (errors name file:line:col). `taken`: the keys grid and zip set (with
// which of the two), refused as search keys.
SearchSpec parse_search(const cfg::Node& block, const std::vector<std::pair<std::string, std::string>>& taken);
// Checks what parse_search checks of the whole spec (trials >= 1; sobol: at most 40 keys).
void check_search(const SearchSpec& spec);
// A command-line override of the search: `field` is trials, seed or sampler (`search.trials=3` for a
// smoke run); anything else is an error naming `origin`.
void override_search(SearchSpec& spec, const std::string& field, const cfg::Node& value, const std::string& origin);

// `n` points in [0,1)^d, trial-major. Random: the i-th output of std::mt19937_64(seed) is
// (x >> 11) * 2^-53, trial t dimension j taking output t*d + j.
std::vector<std::vector<double>> random_points(int n, int d, uint64_t seed);
// Sobol: point 0 is the origin, points 1.. are gsl_qrng_sobol's sequence (which starts after it), so the
// first 2^k points of every dimension are {i / 2^k} (stratified). With `shift`: a random digital shift,
// each coordinate's 53 bits XORed with a per-dimension word ((x >> 11) of the j-th output of
// std::mt19937_64(seed ^ 0x9E3779B97F4A7C15), a stream of its own); this is a digital shift, not Owen scrambling: it keeps every stratification
// of the sequence and makes each point uniform on [0,1)^d.
std::vector<std::vector<double>> sobol_points(int n, int d, uint64_t seed, bool shift = true);

// The value a dimension takes at u in [0,1).
cfg::Node search_value(const SearchDim& dim, double u);

// Every trial: for each key, its value (trial order).
std::vector<std::vector<std::pair<std::string, cfg::Node>>> draw_trials(const SearchSpec& spec);

}  // namespace adaptlab

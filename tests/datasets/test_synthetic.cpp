#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "datasets/synthetic/synthetic.h"

using namespace adaptlab;

TEST_CASE("synthetic data: deterministic per seed, balanced, right shapes", "[datasets]") {
  SyntheticOptions o;
  o.num_classes = 4;
  o.img_size = 8;
  o.train_size = 100;
  o.val_size = 20;
  o.test_size = 40;
  auto a = make_synthetic(o), b = make_synthetic(o);
  CHECK(at::equal(a->inputs(Split::train), b->inputs(Split::train)));
  CHECK(at::equal(a->labels(Split::test), b->labels(Split::test)));
  CHECK(a->inputs(Split::val).sizes() == at::IntArrayRef({20, 3, 8, 8}));
  CHECK(a->info().num_classes == 4);
  CHECK(at::bincount(a->labels(Split::train)).equal(at::full({4}, 25, at::kLong)));
  o.seed = 1;
  auto c = make_synthetic(o);
  CHECK_FALSE(at::equal(a->inputs(Split::train), c->inputs(Split::train)));
}

TEST_CASE("synthetic data: without noise, nearest class mean separates the classes", "[datasets]") {
  SyntheticOptions o;
  o.num_classes = 5;
  o.img_size = 8;
  o.noise = 0.0;
  o.train_size = 200;
  o.test_size = 100;
  auto d = make_synthetic(o);
  const auto& x = d->inputs(Split::train);
  const auto& y = d->labels(Split::train);
  auto xf = x.reshape({x.size(0), -1});
  std::vector<at::Tensor> means;
  for (int k = 0; k < 5; ++k) means.push_back(xf.index({y.eq(k)}).mean(0));
  auto M = at::stack(means);
  auto xt = d->inputs(Split::test).reshape({100, -1});
  // Correlation with each class mean (contrast/offset change scale and shift only).
  auto xc = xt - xt.mean(1, true);
  auto Mc = M - M.mean(1, true);
  auto corr = at::matmul(xc / xc.norm(2, 1, true), (Mc / Mc.norm(2, 1, true)).t());
  const double acc = corr.argmax(1).eq(d->labels(Split::test)).to(at::kDouble).mean().item<double>();
  CHECK(acc == 1.0);
}

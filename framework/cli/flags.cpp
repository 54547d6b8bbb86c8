#include "framework/cli/flags.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <deque>
#include <new>

namespace adaptlab::cli {

struct Command::State {
  CLI::App* app = nullptr;
  std::deque<Option> options;    // stable addresses for the returned references
  std::deque<Command> children;
  std::function<int()> run;
  std::function<int()>* chosen = nullptr;  // the program's slot for the command to run
};

namespace {
CLI::Option* opt(void* p) { return static_cast<CLI::Option*>(p); }
}  // namespace

Option& Option::required() {
  opt(impl_)->required();
  return *this;
}
Option& Option::positive() {
  opt(impl_)->check(CLI::PositiveNumber);
  return *this;
}
Option& Option::non_negative() {
  opt(impl_)->check(CLI::NonNegativeNumber);
  return *this;
}
Option& Option::existing_file() {
  opt(impl_)->check(CLI::ExistingFile);
  return *this;
}
Option& Option::one_of(const std::vector<std::string>& choices) {
  opt(impl_)->check(CLI::IsMember(choices));
  return *this;
}
bool Option::given() const { return opt(impl_)->count() > 0; }

Option& Command::positional(const std::string& name, std::string& into, const std::string& help) {
  return add(s_->app->add_option(name, into, help));
}
Option& Command::positional(const std::string& name, std::vector<std::string>& into, const std::string& help) {
  return add(s_->app->add_option(name, into, help));
}
Option& Command::option(const std::string& flags, std::string& into, const std::string& help) {
  return add(s_->app->add_option(flags, into, help));
}
Option& Command::option(const std::string& flags, std::vector<std::string>& into, const std::string& help) {
  return add(s_->app->add_option(flags, into, help));
}
Option& Command::option(const std::string& flags, int& into, const std::string& help) {
  return add(s_->app->add_option(flags, into, help));
}
Option& Command::option(const std::string& flags, double& into, const std::string& help) {
  return add(s_->app->add_option(flags, into, help));
}
Option& Command::add(void* o) {
  s_->options.push_back(Option(o));
  return s_->options.back();
}

void Command::flag(const std::string& flags, bool& into, const std::string& help) { s_->app->add_flag(flags, into, help); }

Command& Command::sub(const std::string& name, const std::string& help) {
  auto st = std::make_shared<State>();
  st->app = s_->app->add_subcommand(name, help);
  st->app->fallthrough();  // a global flag after the subcommand (`sweep F --plugin x.so`) reaches the root
  st->chosen = s_->chosen;
  s_->app->require_subcommand(1);
  s_->children.push_back(Command(st));
  return s_->children.back();
}

void Command::on_run(std::function<int()> fn) {
  s_->run = std::move(fn);
  auto* st = s_.get();
  s_->app->callback([st] { *st->chosen = st->run; });
}

struct Program::Impl {
  CLI::App app;
  std::function<int()> chosen;
  std::unique_ptr<Command> root;
  explicit Impl(const std::string& d) : app(d) {}
};

Program::Program(const std::string& description) : impl_(std::make_unique<Impl>(description)) {
  auto st = std::make_shared<Command::State>();
  st->app = &impl_->app;
  st->chosen = &impl_->chosen;
  impl_->root.reset(new Command(st));
}
Program::~Program() = default;
Command& Program::root() { return *impl_->root; }
void Program::footer(const std::string& text) { impl_->app.footer(text); }
void Program::version(const std::string& text) { impl_->app.set_version_flag("--version", text, "print the version and exit"); }

int Program::run(int argc, char** argv, const std::function<void()>& before) {
  try {
    impl_->app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = impl_->app.exit(e);  // prints the help, or the usage error
    return rc == 0 ? 0 : kUsageExitCode;
  }
  try {
    if (before) before();
    return impl_->chosen ? impl_->chosen() : 0;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "adaptlab: error: out of memory (the input may ask for more than this machine has)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "adaptlab: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace adaptlab::cli

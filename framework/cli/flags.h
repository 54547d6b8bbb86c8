// A small facade over CLI11 so that every command file declares its own flags without including
// CLI11 (a 6-8 s compile per translation unit here): CLI11 is compiled once, in flags.cpp.
//
//   void add_query(Command& root, const GlobalArgs& g) {
//     auto a = std::make_shared<QueryArgs>();
//     Command& c = root.sub("query", "run one read-only SQL statement ...");
//     c.positional("sql", a->sql, "the SQL statement").required();
//     c.option("--format", a->format, "table | csv | json").one_of({"table", "csv", "json"});
//     c.on_run([a] { return cmd_query(*a); });
//   }
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace adaptlab::cli {

// One option or positional argument; modifiers chain.
class Option {
 public:
  Option& required();
  Option& positive();       // a number > 0
  Option& non_negative();   // a number >= 0
  Option& existing_file();
  Option& one_of(const std::vector<std::string>& choices);
  // Whether it was given on the command line (after parsing).
  bool given() const;

 private:
  friend class Command;
  explicit Option(void* impl) : impl_(impl) {}
  void* impl_;  // CLI::Option*
};

class Command {
 public:
  Option& positional(const std::string& name, std::string& into, const std::string& help);
  Option& positional(const std::string& name, std::vector<std::string>& into, const std::string& help);
  Option& option(const std::string& flags, std::string& into, const std::string& help);
  Option& option(const std::string& flags, std::vector<std::string>& into, const std::string& help);
  Option& option(const std::string& flags, int& into, const std::string& help);
  Option& option(const std::string& flags, double& into, const std::string& help);
  void flag(const std::string& flags, bool& into, const std::string& help);
  // A subcommand; a command with subcommands requires exactly one of them.
  Command& sub(const std::string& name, const std::string& help);
  // What runs when this command is the one chosen; its return value is the exit code.
  void on_run(std::function<int()> fn);

 private:
  friend class Program;
  struct State;
  explicit Command(std::shared_ptr<State> s) : s_(std::move(s)) {}
  Option& add(void* cli_option);
  std::shared_ptr<State> s_;
};

// The exit code of a usage error (unknown flag, bad flag value, missing argument): sysexits' EX_USAGE.
inline constexpr int kUsageExitCode = 64;

// The program: the root command, parsing, and running the chosen command.
class Program {
 public:
  explicit Program(const std::string& description);
  ~Program();
  Command& root();
  // Text shown at the end of the root command's --help.
  void footer(const std::string& text);
  // --version prints this and exits 0.
  void version(const std::string& text);
  // Parses argv (printing help or a usage error itself), calls `before` (global set-up), then the chosen
  // command. Errors (adaptlab::Error and others) print "adaptlab: error: ..." and exit 1.
  int run(int argc, char** argv, const std::function<void()>& before);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace adaptlab::cli

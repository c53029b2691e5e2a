// swarmsim: the command-line front-end.
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/ranks.hpp"
#include "cli/version.hpp"
#include "io/scenario/scenario.hpp"

namespace {

using namespace swarm::cli;

// the closest of `names` to `word` when it is close enough to be a typo: at most 2 edits
// (a swap of two letters is 2), or a third of the word for long ones; "" otherwise
std::string closest(std::string_view word, const std::vector<std::string>& names) {
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& name : names) {
        const std::size_t d = swarm::io::edit_distance(word, name);
        if (d < best_distance) {
            best_distance = d;
            best = name;
        }
    }
    return best_distance <= limit ? best : std::string();
}

std::vector<std::string> command_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
    }
    return names;
}

std::vector<std::string> long_option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* opt : app.get_options()) {
        for (const std::string& n : opt->get_lnames()) {
            names.push_back("--" + n);
        }
    }
    return names;
}

bool is_number(const std::string& text) {
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
}

// "swarmsim", "swarmsim run", "swarmsim network route"
std::string command_path(const CLI::App* app) {
    std::string path;
    for (; app != nullptr; app = app->get_parent()) {
        path = app->get_name() + (path.empty() ? "" : " " + path);
    }
    return path;
}

struct Usage {
    const CLI::App* command = nullptr;  // the deepest sub-command named on the line
    std::size_t first_arg = 1;          // where its own arguments start in argv
    std::string problem;                // an unknown command, with a suggestion if any
};

// Follows argv down the sub-commands before CLI11 parses it: a word where a sub-command is
// expected must be one (CLI11 would only say "A subcommand is required").
Usage find_command(const CLI::App& app, int argc, char** argv) {
    Usage u;
    u.command = &app;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") {
            break;
        }
        if (!arg.empty() && arg[0] == '-') {
            continue;  // an option of the command so far (none of them takes a value)
        }
        const std::vector<std::string> names = command_names(*u.command);
        if (names.empty()) {
            break;  // a positional argument of a leaf command
        }
        const auto found = std::find(names.begin(), names.end(), arg);
        if (found == names.end()) {
            const std::string near = closest(arg, names);
            u.problem = command_path(u.command) + ": error: unknown command '" + arg + "'";
            if (!near.empty()) {
                u.problem += ", did you mean '" + near + "'?";
            } else {
                std::string list;
                for (const std::string& n : names) {
                    list += (list.empty() ? "" : ", ") + n;
                }
                u.problem += " (commands: " + list + ")";
            }
            return u;
        }
        u.command = u.command->get_subcommand(arg);
        u.first_arg = static_cast<std::size_t>(i) + 1;
    }
    return u;
}

// After CLI11 refused an argument: "unknown option '--thred', did you mean '--threads'?" for
// the first option-like word the command does not know and that is close to one it does
std::string option_hint(const Usage& u, int argc, char** argv) {
    const std::vector<std::string> names = long_option_names(*u.command);
    for (auto i = static_cast<int>(u.first_arg); i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            break;
        }
        if (arg.size() < 2 || arg[0] != '-' || is_number(arg)) {
            continue;
        }
        arg = arg.substr(0, arg.find('='));
        bool known = false;
        for (const CLI::Option* opt : u.command->get_options()) {
            known = known || opt->check_name(arg);
        }
        if (known || arg.rfind("--", 0) != 0) {
            continue;
        }
        const std::string near = closest(arg, names);
        if (!near.empty()) {
            return command_path(u.command) + ": error: unknown option '" + arg +
                   "', did you mean '" + near + "'?";
        }
    }
    return {};
}

// Under `mpirun -np N` (N > 1) every rank runs this same command line: only the commands that
// share their work between ranks (run, sweep, compare) may go on; the others would each run the
// whole job and write the same outputs. "" when the command may run, else why not.
std::string refuse_under_mpirun(const CLI::App& app, const Usage& usage) {
    const int size = launched_size();
    if (size == 1 || usage.command == &app) {
        return {};
    }
    const CLI::App* top = usage.command;
    while (top->get_parent() != &app) {
        top = top->get_parent();
    }
    const std::string name = top->get_name();
    const std::string launch = "started as one of " + std::to_string(size) + " MPI ranks";
    if (name == "sweep" || name == "compare" || name == "run") {
        if (mpi_built()) {
            return {};
        }
        return "swarmsim " + name + ": error: " + launch +
               ", but this swarmsim was built without MPI (configure with "
               "-DSWARM_WITH_MPI=ON after apt-get install libopenmpi-dev openmpi-bin); run it "
               "without mpirun (docs/distributed.md)";
    }
    return "swarmsim " + name + ": error: " + launch + ", but `" + name +
           "` does not run across ranks (only run, sweep and compare do, docs/distributed.md): "
           "each rank would run it whole and write the same outputs. Run it without mpirun, or "
           "with -np 1.";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace swarm::cli;
    CLI::App app{"swarmsim: a swarm coordination simulator for fleets of edge devices"};
    app.name("swarmsim");
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", std::string("swarmsim ") + kVersionText,
                         "Print the version (and the git commit it was built from) and exit");
    int exit_code = kExitOk;
    add_demo_command(app, exit_code);
    add_selftest_command(app, exit_code);
#ifdef SWARM_HAVE_NETWORK_COMMANDS
    add_network_commands(app, exit_code);
#endif
    add_scenario_commands(app, exit_code);
    add_batch_commands(app, exit_code);
    add_bench_command(app, exit_code);
    add_learn_command(app, exit_code);
    add_vrp_command(app, exit_code);

    const Usage usage = find_command(app, argc, argv);
    if (!usage.problem.empty()) {
        std::cerr << usage.problem << "\nRun with --help for the commands.\n";
        return kExitUsage;
    }
    if (const std::string refusal = refuse_under_mpirun(app, usage); !refusal.empty()) {
        if (launched_rank() == 0) {
            std::cerr << refusal << "\n";
        }
        return kExitUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const std::string hint = option_hint(usage, argc, argv);
        if (!hint.empty()) {
            std::cerr << hint << "\nRun with --help for more information.\n";
        } else {
            app.exit(e);  // prints the message and usage
        }
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "swarmsim: error: " << e.what() << "\n";
        return kExitRuntime;
    }
    return exit_code;
}

// swarmsim: the command-line front-end.
#include <exception>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    using namespace swarm::cli;
    CLI::App app{"swarmsim: a swarm coordination simulator for fleets of edge devices"};
    app.require_subcommand(1);
    int exit_code = kExitOk;
    add_demo_command(app, exit_code);
#ifdef SWARM_HAVE_NETWORK_COMMANDS
    add_network_commands(app, exit_code);
#endif
    add_scenario_commands(app, exit_code);
    add_batch_commands(app, exit_code);
    add_bench_command(app, exit_code);
    add_learn_command(app, exit_code);
    add_vrp_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);  // prints the message and usage
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "swarmsim: error: " << e.what() << "\n";
        return kExitRuntime;
    }
    return exit_code;
}

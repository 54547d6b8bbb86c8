adaptlab_component(method NAMES lightpeft SOURCES lightpeft.cpp lightpeft_ops.cpp)

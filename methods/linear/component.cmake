adaptlab_component(method NAMES linear SOURCES linear.cpp)

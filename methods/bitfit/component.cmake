adaptlab_component(method NAMES bitfit SOURCES bitfit.cpp)

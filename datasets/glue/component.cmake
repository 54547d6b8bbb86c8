adaptlab_component(dataset NAMES glue SOURCES glue.cpp glue_tasks.cpp)

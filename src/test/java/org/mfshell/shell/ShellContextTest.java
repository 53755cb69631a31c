package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandRegistry;

/**
 * The interactive shell's Spring context, built as the shell builds it (lazily, without running
 * the read loop): which commands it registers, and the assumption behind dropping Spring's
 * {@code @EventListener} scan at start-up (no bean of the context has such a method).
 */
class ShellContextTest {

    private static AnnotationConfigApplicationContext context() {
        AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext();
        ctx.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor());
        ctx.register(ShellApplication.class);
        ctx.refresh();
        return ctx;
    }

    @Test
    void registersMfshellCommandsAndTheShellBuiltins() {
        try (AnnotationConfigApplicationContext ctx = context()) {
            CommandRegistry registry = ctx.getBean(CommandRegistry.class);
            TreeSet<String> names = new TreeSet<>();
            for (Command c : registry.getCommands()) {
                names.add(c.getName());
            }
            for (String expected : List.of("instances", "mailq", "stats", "flush", "help", "quit", "history", "clear")) {
                assertTrue(names.contains(expected), expected + " missing from " + names);
            }
            assertNotNull(registry.getCommandByAlias("exit"), "exit leaves the shell too");
            assertFalse(names.contains("version") && registry.getCommandByName("version").getClass().getName()
                    .startsWith("org.springframework"), "version is mfshell's, not Spring Shell's");
        }
    }

    @Test
    void noBeanListensForEventsByAnnotationSoTheScanCanGo() {
        try (AnnotationConfigApplicationContext ctx = context()) {
            assertFalse(ctx.containsBeanDefinition(AnnotationConfigUtils.EVENT_LISTENER_PROCESSOR_BEAN_NAME),
                    "the scan is switched off at run time");
            List<String> listening = new ArrayList<>();
            int types = 0;
            for (String name : ctx.getBeanDefinitionNames()) {
                Class<?> type = ctx.getType(name, false);
                if (type == null) {
                    continue;
                }
                types++;
                for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Method m : c.getDeclaredMethods()) {
                        if (AnnotatedElementUtils.hasAnnotation(m, EventListener.class)) {
                            listening.add(name + ": " + m);
                        }
                    }
                }
            }
            assertTrue(types > 10, "bean types were looked at: " + types);
            assertEquals(List.of(), listening, "an @EventListener method would never be called");
        }
    }
}

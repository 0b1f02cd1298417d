package io.jdbcguard.agent;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Hands what a driver's {@code connect(String, Properties)} returns to the guard: before every
 * {@code ARETURN} of the method whose descriptor is {@code java.sql.Driver}'s, it calls
 * {@link AgentHooks#driverConnected(java.sql.Connection, Object, String, java.util.Properties)}. Written at the
 * level of the class file, so that it takes the method callers reach whatever it is: the driver's own, or
 * the bridge javac writes where {@code connect} is covariant (MariaDB Connector/J's returns
 * {@code org.mariadb.jdbc.Connection}; {@code DriverManager} and every pool call the bridge), which Byte
 * Buddy's {@code Advice} does not instrument.
 */
final class ConnectReturns extends AsmVisitorWrapper.AbstractBase {

    static final String CONNECT = "(Ljava/lang/String;Ljava/util/Properties;)Ljava/sql/Connection;";
    private static final String HOOKS = "io/jdbcguard/agent/AgentHooks";
    private static final String HOOK = "(Ljava/sql/Connection;Ljava/lang/Object;Ljava/lang/String;Ljava/util/Properties;)"
            + "Ljava/sql/Connection;";

    @Override
    public ClassVisitor wrap(TypeDescription instrumentedType, ClassVisitor classVisitor,
                             Implementation.Context implementationContext, TypePool typePool,
                             FieldList<FieldDescription.InDefinedShape> fields, MethodList<?> methods,
                             int writerFlags, int readerFlags) {
        return new ClassVisitor(OpenedClassReader.ASM_API, classVisitor) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!"connect".equals(name) || !CONNECT.equals(descriptor) || (access & Opcodes.ACC_STATIC) != 0
                        || (access & Opcodes.ACC_ABSTRACT) != 0) {
                    return mv;
                }
                return new MethodVisitor(OpenedClassReader.ASM_API, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.ARETURN) {
                            // [connection] -> [connection, this, url, info] -> [the guard's connection]
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitVarInsn(Opcodes.ALOAD, 1);
                            super.visitVarInsn(Opcodes.ALOAD, 2);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "driverConnected", HOOK, false);
                        }
                        super.visitInsn(opcode);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(maxStack + 3, maxLocals);
                    }
                };
            }
        };
    }
}

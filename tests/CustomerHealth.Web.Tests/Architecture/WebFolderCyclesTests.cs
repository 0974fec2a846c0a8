using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CustomerHealth.Web.Tests.Architecture;

/// <summary>
/// The web app's folders depend one way (docs/architecture.md, "The web app"): the graph of which folder's types use
/// which other folder's types, read from the compiled assembly (signatures, fields, locals, attributes and every type,
/// method and field a method body names, lambdas and razor markup included), has no cycle. A folder is a namespace
/// `CustomerHealth.Web.X` (nested folders are their own, `Components.Pages`); the root namespace is the composition root
/// (<see cref="ChsWebApp"/> maps every folder) and its settings, which every folder may use, so it stays out.
/// </summary>
public sealed class WebFolderCyclesTests
{
    private const string Prefix = "CustomerHealth.Web.";

    [Fact]
    public void WebFolders_DependOneWay_NoCycle()
    {
        var edges = FolderEdges(typeof(ChsWebApp).Assembly.Location);
        // The reading works: these are known uses, so an empty graph cannot pass for one without cycles.
        edges.Keys.ShouldContain(("Components.Pages", "Components.Shared"));
        edges.Keys.ShouldContain(("Api", "Auth"));

        var cycles = Cycles(edges);

        cycles.ShouldBeEmpty("folders that depend on each other (each use shown by one type that makes it)");
    }

    [Fact]
    public void Cycles_OfAGraphWithOne_AreNamedWithTheUsesThatMakeThem()
    {
        var edges = new Dictionary<(string, string), string>
        {
            [("A", "B")] = "A.X → B.Y", [("B", "C")] = "B.Y → C.Z", [("C", "A")] = "C.Z → A.X", [("C", "D")] = "C.Z → D.W",
        };

        Cycles(edges).ShouldBe(["A → B → C → A (A.X → B.Y; B.Y → C.Z; C.Z → A.X)"]);
    }

    /// <summary>For each pair of folders where the first uses the second, one use that shows it ("Api.AlertsApi → Auth.Access").</summary>
    private static Dictionary<(string From, string To), string> FolderEdges(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        var reader = new TypeUses(md);
        var edges = new Dictionary<(string, string), string>();
        foreach (var handle in md.TypeDefinitions)
        {
            if (reader.Folder(handle) is not { } from)
            {
                continue;
            }
            foreach (var used in reader.UsesOf(handle, pe))
            {
                if (reader.Folder(used) is { } to && to != from)
                {
                    edges.TryAdd((from, to), $"{reader.Name(handle)} → {reader.Name(used)}");
                }
            }
        }
        return edges;
    }

    /// <summary>Every cycle of folders (one per strongly connected group), as "A → B → A" with the uses that make it.</summary>
    private static List<string> Cycles(Dictionary<(string From, string To), string> edges)
    {
        var next = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var nodes = edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var cycles = new List<string>();
        var done = new HashSet<string>();
        foreach (var start in nodes)
        {
            if (done.Contains(start))
            {
                continue;
            }
            // The folders reachable from start that reach back to it: its strongly connected group.
            var reach = Reachable(start, next);
            var group = reach.Where(n => Reachable(n, next).Contains(start)).ToHashSet();
            done.UnionWith(group);
            if (!group.Contains(start))
            {
                continue;
            }
            // The shortest cycle through each folder of the group, each cycle once (from its first folder by name).
            foreach (var member in group.Order(StringComparer.Ordinal))
            {
                var path = PathBack(member, next, group);
                var first = path.Skip(1).Min(StringComparer.Ordinal)!;
                var at = path.IndexOf(first);
                List<string> rotated = [.. path.Skip(at), .. path.Skip(1).Take(at)];
                var hops = rotated.Zip(rotated.Skip(1)).Select(p => edges[(p.First, p.Second)]);
                var text = $"{string.Join(" → ", rotated)} ({string.Join("; ", hops)})";
                if (!cycles.Contains(text))
                {
                    cycles.Add(text);
                }
            }
        }
        return cycles;
    }

    private static HashSet<string> Reachable(string from, Dictionary<string, List<string>> next)
    {
        var seen = new HashSet<string>();
        var todo = new Stack<string>([from]);
        while (todo.TryPop(out var n))
        {
            foreach (var m in next.GetValueOrDefault(n) ?? [])
            {
                if (seen.Add(m))
                {
                    todo.Push(m);
                }
            }
        }
        return seen;
    }

    /// <summary>The shortest way from a folder back to itself inside its group.</summary>
    private static List<string> PathBack(string start, Dictionary<string, List<string>> next, HashSet<string> group)
    {
        var cameFrom = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var n))
        {
            foreach (var m in (next.GetValueOrDefault(n) ?? []).Where(group.Contains))
            {
                if (m == start)
                {
                    var path = new List<string> { start };
                    for (var at = n; at != start; at = cameFrom[at])
                    {
                        path.Insert(1, at);
                    }
                    path.Add(start);
                    return path;
                }
                if (cameFrom.TryAdd(m, n))
                {
                    queue.Enqueue(m);
                }
            }
        }
        throw new InvalidOperationException($"{start} is in a cycle but no way back was found");
    }

    /// <summary>The types of this assembly a type uses, from its metadata and its methods' IL.</summary>
    private sealed class TypeUses(MetadataReader md)
    {
        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

        private readonly Signatures signatures = new();

        /// <summary>The folder of a type (of its outermost declaring type), or null outside the folders.</summary>
        public string? Folder(TypeDefinitionHandle handle)
        {
            var ns = md.GetString(md.GetTypeDefinition(Outermost(handle)).Namespace);
            return ns.StartsWith(Prefix, StringComparison.Ordinal) ? ns[Prefix.Length..] : null;
        }

        public string Name(TypeDefinitionHandle handle)
        {
            var t = md.GetTypeDefinition(Outermost(handle));
            return $"{Folder(handle)}.{md.GetString(t.Name)}";
        }

        private TypeDefinitionHandle Outermost(TypeDefinitionHandle handle)
        {
            while (md.GetTypeDefinition(handle) is { IsNested: true } t)
            {
                handle = t.GetDeclaringType();
            }
            return handle;
        }

        public IEnumerable<TypeDefinitionHandle> UsesOf(TypeDefinitionHandle handle, PEReader pe)
        {
            var type = md.GetTypeDefinition(handle);
            var uses = new List<TypeDefinitionHandle>();
            Add(uses, type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Add(uses, md.GetInterfaceImplementation(i).Interface);
            }
            foreach (var p in type.GetGenericParameters())
            {
                foreach (var c in md.GetGenericParameter(p).GetConstraints())
                {
                    Add(uses, md.GetGenericParameterConstraint(c).Type);
                }
            }
            Attributes(uses, type.GetCustomAttributes());
            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                uses.AddRange(field.DecodeSignature(signatures, null));
                Attributes(uses, field.GetCustomAttributes());
            }
            foreach (var p in type.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                var s = property.DecodeSignature(signatures, null);
                uses.AddRange(s.ReturnType.Concat(s.ParameterTypes.SelectMany(x => x)));
                Attributes(uses, property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents())
            {
                Add(uses, md.GetEventDefinition(e).Type);
            }
            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var s = method.DecodeSignature(signatures, null);
                uses.AddRange(s.ReturnType.Concat(s.ParameterTypes.SelectMany(x => x)));
                Attributes(uses, method.GetCustomAttributes());
                foreach (var p in method.GetParameters())
                {
                    Attributes(uses, md.GetParameter(p).GetCustomAttributes());
                }
                if (method.RelativeVirtualAddress != 0)
                {
                    Body(uses, pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }
            return uses;
        }

        private void Attributes(List<TypeDefinitionHandle> uses, CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                Add(uses, md.GetCustomAttribute(a).Constructor);
            }
        }

        private void Body(List<TypeDefinitionHandle> uses, MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                uses.AddRange(md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(signatures, null).SelectMany(x => x));
            }
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                int first = il.ReadByte();
                var code = OpCodesByValue[unchecked((short)(first == 0xFE ? 0xFE00 | il.ReadByte() : first))];
                switch (code.OperandType)
                {
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.ReadByte();
                        break;
                    case OperandType.InlineVar:
                        il.ReadInt16();
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.ReadInt64();
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        for (var i = 0; i < targets; i++)
                        {
                            il.ReadInt32();
                        }
                        break;
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Add(uses, MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    default:
                        // Branch targets, 32-bit numbers, strings and call-site signatures name no type of ours.
                        il.ReadInt32();
                        break;
                }
            }
        }

        /// <summary>The types of ours an entity names: a type, the type a member is declared on, and the types in its signature.</summary>
        private void Add(List<TypeDefinitionHandle> uses, EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    uses.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    uses.AddRange(md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(signatures, null));
                    break;
                case HandleKind.MethodDefinition:
                    uses.Add(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    uses.Add(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Add(uses, spec.Method);
                    uses.AddRange(spec.DecodeSignature(signatures, null).SelectMany(x => x));
                    break;
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)handle);
                    Add(uses, member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        var s = member.DecodeMethodSignature(signatures, null);
                        uses.AddRange(s.ReturnType.Concat(s.ParameterTypes.SelectMany(x => x)));
                    }
                    else
                    {
                        uses.AddRange(member.DecodeFieldSignature(signatures, null));
                    }
                    break;
                default:
                    // Type references are other assemblies' types.
                    break;
            }
        }
    }

    /// <summary>Decodes a signature into the types of this assembly it names.</summary>
    private sealed class Signatures : ISignatureTypeProvider<IReadOnlyList<TypeDefinitionHandle>, object?>
    {
        private static readonly IReadOnlyList<TypeDefinitionHandle> None = [];

        public IReadOnlyList<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;

        public IReadOnlyList<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public IReadOnlyList<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;

        public IReadOnlyList<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public IReadOnlyList<TypeDefinitionHandle> GetSZArrayType(IReadOnlyList<TypeDefinitionHandle> elementType) => elementType;

        public IReadOnlyList<TypeDefinitionHandle> GetArrayType(IReadOnlyList<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public IReadOnlyList<TypeDefinitionHandle> GetByReferenceType(IReadOnlyList<TypeDefinitionHandle> elementType) => elementType;

        public IReadOnlyList<TypeDefinitionHandle> GetPointerType(IReadOnlyList<TypeDefinitionHandle> elementType) => elementType;

        public IReadOnlyList<TypeDefinitionHandle> GetPinnedType(IReadOnlyList<TypeDefinitionHandle> elementType) => elementType;

        public IReadOnlyList<TypeDefinitionHandle> GetModifiedType(IReadOnlyList<TypeDefinitionHandle> modifier, IReadOnlyList<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            unmodifiedType;

        public IReadOnlyList<TypeDefinitionHandle> GetGenericInstantiation(IReadOnlyList<TypeDefinitionHandle> genericType, System.Collections.Immutable.ImmutableArray<IReadOnlyList<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(x => x)];

        public IReadOnlyList<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => None;

        public IReadOnlyList<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => None;

        public IReadOnlyList<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<IReadOnlyList<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(x => x)];
    }
}

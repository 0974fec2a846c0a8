using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CustomerHealth.Tests;

/// <summary>
/// Which folder of an assembly uses which, with one use as the evidence of each edge. A type belongs to the folder
/// of its namespace (a nested or compiler-made type, such as a lambda's closure, to that of the type it is in);
/// types of the root namespace (StoreDb and the like) are shared by every folder and stand outside the graph.
/// </summary>
public sealed class FolderGraph(Dictionary<string, Dictionary<string, string>> edges)
{
    public IReadOnlyCollection<string> Folders => edges.Keys;

    public bool Uses(string from, string to) => edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    /// <summary>
    /// Reads every reference a type of the assembly makes to another type of it: base type and interfaces, field,
    /// method, property and local variable types, attributes, and every type, method and field token in the
    /// method bodies (calls, object creation, field access, casts, typeof). Constants and enum values are copied
    /// into the code by the compiler and leave no reference.
    /// </summary>
    /// <param name="assembly">The assembly read, from its file.</param>
    /// <param name="root">The namespace whose child namespaces are the folders (CustomerHealth.Store).</param>
    /// <param name="nested">Whether a nested namespace is a folder of its own (Components.Pages) or part of its first folder (Components).</param>
    public static FolderGraph Of(Assembly assembly, string root, bool nested = false)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var reader = pe.GetMetadataReader();
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = FolderOf(reader, handle, root, nested);
            if (from is null)
            {
                continue;
            }
            if (!result.TryGetValue(from, out var targets))
            {
                result[from] = targets = new Dictionary<string, string>(StringComparer.Ordinal);
            }
            var used = new TypeReferences(reader, pe);
            used.OfType(handle);
            foreach (var target in used.Types)
            {
                if (FolderOf(reader, target, root, nested) is { } to && to != from && !targets.ContainsKey(to))
                {
                    targets[to] = $"{NameOf(reader, handle, root)} uses {NameOf(reader, target, root)}";
                }
            }
        }
        return new FolderGraph(result);
    }

    /// <summary>Each cycle once, as the folders along it with the first repeated at the end; none when the folders depend one way.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var cycles = new List<IReadOnlyList<string>>();
        foreach (var component in StronglyConnected().Where(c => c.Count > 1))
        {
            // One cycle through the component's first folder (by name), found by a breadth-first walk back to it.
            var start = component.Min(StringComparer.Ordinal)!;
            var inside = component.ToHashSet(StringComparer.Ordinal);
            var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
            var queue = new Queue<string>([start]);
            string? last = null;
            while (queue.Count > 0 && last is null)
            {
                var at = queue.Dequeue();
                foreach (var next in Targets(at).Where(inside.Contains))
                {
                    if (next == start)
                    {
                        last = at;
                        break;
                    }
                    if (cameFrom.TryAdd(next, at))
                    {
                        queue.Enqueue(next);
                    }
                }
            }
            var path = new List<string> { start };
            for (var at = last!; at != start; at = cameFrom[at])
            {
                path.Add(at);
            }
            path.Add(start);
            path.Reverse();
            cycles.Add(path);
        }
        return cycles;
    }

    public string Describe(IReadOnlyList<string> cycle) =>
        string.Join(" → ", cycle) + " (" + string.Join("; ", cycle.Zip(cycle.Skip(1), (a, b) => edges[a][b])) + ")";

    public override string ToString() =>
        string.Join("\n", edges.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} → {string.Join(", ", e.Value.Keys.Order(StringComparer.Ordinal))}"));

    private IEnumerable<string> Targets(string folder) =>
        edges.TryGetValue(folder, out var targets) ? targets.Keys.Order(StringComparer.Ordinal) : [];

    /// <summary>Tarjan's strongly connected components, in a stable order.</summary>
    private List<List<string>> StronglyConnected()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Targets(v))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                components.Add(component);
            }
        }
        foreach (var folder in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(folder))
            {
                Visit(folder);
            }
        }
        return components;
    }

    /// <summary>The folder of a type (X of root.X…, or X.Y of root.X.Y when nested), or null for the root namespace itself and types outside it.</summary>
    private static string? FolderOf(MetadataReader reader, TypeDefinitionHandle handle, string root, bool nested)
    {
        var ns = reader.GetString(Outermost(reader, handle).Namespace);
        if (!ns.StartsWith(root + ".", StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return nested || dot < 0 ? rest : rest[..dot];
    }

    private static TypeDefinition Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = reader.GetTypeDefinition(outer);
        }
        return type;
    }

    private static string NameOf(MetadataReader reader, TypeDefinitionHandle handle, string root)
    {
        var outer = Outermost(reader, handle);
        return reader.GetString(outer.Namespace)[(root.Length + 1)..] + "." + reader.GetString(outer.Name);
    }
}

/// <summary>The types of the assembly itself that one type refers to (references to other assemblies are left out).</summary>
internal sealed class TypeReferences(MetadataReader reader, PEReader pe) : ISignatureTypeProvider<int, object?>
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    public HashSet<TypeDefinitionHandle> Types { get; } = [];

    public void OfType(TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        Add(type.BaseType);
        foreach (var i in type.GetInterfaceImplementations())
        {
            Add(reader.GetInterfaceImplementation(i).Interface);
        }
        Attributes(type.GetCustomAttributes());
        Constraints(type.GetGenericParameters());
        foreach (var f in type.GetFields())
        {
            var field = reader.GetFieldDefinition(f);
            field.DecodeSignature(this, null);
            Attributes(field.GetCustomAttributes());
        }
        foreach (var p in type.GetProperties())
        {
            var property = reader.GetPropertyDefinition(p);
            property.DecodeSignature(this, null);
            Attributes(property.GetCustomAttributes());
        }
        foreach (var e in type.GetEvents())
        {
            Add(reader.GetEventDefinition(e).Type);
        }
        foreach (var m in type.GetMethods())
        {
            Method(reader.GetMethodDefinition(m));
        }
    }

    private void Method(MethodDefinition method)
    {
        method.DecodeSignature(this, null);
        Attributes(method.GetCustomAttributes());
        Constraints(method.GetGenericParameters());
        foreach (var p in method.GetParameters())
        {
            Attributes(reader.GetParameter(p).GetCustomAttributes());
        }
        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }
        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
        }
        foreach (var region in body.ExceptionRegions)
        {
            Add(region.CatchType);
        }
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }
            switch (Operands[code])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                default:
                    // InlineBrTarget, InlineI, InlineString, ShortInlineR: four bytes that name no type.
                    il.Offset += 4;
                    break;
            }
        }
    }

    private void Attributes(CustomAttributeHandleCollection attributes)
    {
        foreach (var a in attributes)
        {
            Add(reader.GetCustomAttribute(a).Constructor);
        }
    }

    private void Constraints(GenericParameterHandleCollection parameters)
    {
        foreach (var p in parameters)
        {
            foreach (var c in reader.GetGenericParameter(p).GetConstraints())
            {
                Add(reader.GetGenericParameterConstraint(c).Type);
            }
        }
    }

    private void Add(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                Types.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                break;
            case HandleKind.MethodDefinition:
                Types.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                Types.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                Add(member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(this, null);
                }
                else
                {
                    member.DecodeFieldSignature(this, null);
                }
                break;
            case HandleKind.MethodSpecification:
                var spec = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                Add(spec.Method);
                spec.DecodeSignature(this, null);
                break;
            case HandleKind.StandaloneSignature:
                var signature = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    signature.DecodeMethodSignature(this, null);
                }
                break;
        }
    }

    public int GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        Types.Add(handle);
        return 0;
    }

    public int GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public int GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => 0;

    public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

    public int GetSZArrayType(int elementType) => 0;

    public int GetArrayType(int elementType, ArrayShape shape) => 0;

    public int GetByReferenceType(int elementType) => 0;

    public int GetPointerType(int elementType) => 0;

    public int GetPinnedType(int elementType) => 0;

    public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

    public int GetGenericMethodParameter(object? genericContext, int index) => 0;

    public int GetGenericTypeParameter(object? genericContext, int index) => 0;

    public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;

    public int GetFunctionPointerType(MethodSignature<int> signature) => 0;
}
